// The pinned-upstream-file resolver against a real HTTP server on 127.0.0.1 that plays both the Go module
// proxy (zips built here) and a raw-file host, with a manifest made here, so nothing touches the real
// cache or network. Plus: the real manifest's hashes against the offline copy in ../shared/schemas.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/paths.js';
import { resolveUpstream } from '../lib/upstream-fetch.js';
import { CRD_REQUIREMENTS, SKAFFOLD_SCHEMA } from '../lib/upstream-files.js';
import type { Bundle, Requirement, UpstreamSources } from '../lib/upstream-types.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const GOOD = { 'a.yaml': 'kind: A\n', 'b.yaml': 'kind: B\n', 'all.yaml': 'kind: A\n---\nkind: B\n' };
const TAMPERED = 'kind: A\nextra: injected\n';
// Upper case on purpose: the proxy's URL escapes it (`!acme`), the zip's entries do not.
const MODULE = 'example.com/Acme/defs';
const VERSION = 'v1.0.0';
const ZIP_PATH = '/proxy/example.com/!acme/defs/@v/v1.0.0.zip';
const OFFLINE_ENV = 'TEST_UPSTREAM_DIR';

type Route = { status: number; body?: Uint8Array };

/** One server per test: routes to fill in, the paths asked for, and a way to take it down. */
async function startServer() {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const route = routes.get(request.url ?? '') ?? { status: 404 };
    response.writeHead(route.status).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { base, routes, hits, stop };
}

function moduleZip(files: Record<string, string>): Uint8Array {
  const entries: Record<string, Uint8Array> = { [`${MODULE}@${VERSION}/README.md`]: strToU8('not wanted') };
  for (const [name, text] of Object.entries(files))
    entries[`${MODULE}@${VERSION}/defs/${name}`] = strToU8(text);
  return zipSync(entries);
}

const pinned = (name: string) => ({
  name,
  path: `defs/${name}`,
  sha256: sha256(GOOD[name as keyof typeof GOOD]),
});

function moduleBundle(base: string): Bundle {
  return {
    label: 'test module defs (two files)',
    files: [pinned('a.yaml'), pinned('b.yaml')],
    origins: [
      { kind: 'go-module', module: MODULE, version: VERSION },
      { kind: 'url', base: `${base}/raw` },
    ],
  };
}

function singleFileBundle(base: string): Bundle {
  return {
    label: 'the same defs in one file',
    files: [pinned('all.yaml')],
    origins: [{ kind: 'url', base: `${base}/raw` }],
  };
}

function requirement(bundles: Bundle[]): Requirement {
  return { title: 'Test defs', folder: 'defs', offlineEnv: { name: OFFLINE_ENV, holds: 'folder' }, bundles };
}

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bonding-upstream-'));
  cleanup.push(dir);
  return dir;
}

function sources(base: string, extra: Partial<UpstreamSources> = {}): UpstreamSources {
  return { cacheDir: join(tempDir(), 'cache'), env: {}, goProxy: `${base}/proxy`, ...extra };
}

function folderWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function serveRaw(routes: Map<string, Route>, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files))
    routes.set(`/raw/defs/${name}`, { status: 200, body: strToU8(text) });
}

describe('pinned upstream files: fetching', () => {
  it('fetches a module zip from the proxy, keeps only the verified files in the cache', async () => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip(GOOD) });
    const where = sources(server.base);
    const [resolved] = await resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    await server.stop();

    expect(resolved?.source).toBe(
      `fetched from the Go module proxy (${server.base}${ZIP_PATH}), verified, cached in ${join(where.cacheDir, 'defs')}`,
    );
    expect(resolved?.files.map((file) => readFileSync(file.path, 'utf8'))).toEqual([
      GOOD['a.yaml'],
      GOOD['b.yaml'],
    ]);
    expect(readdirSync(join(where.cacheDir, 'defs')).sort()).toEqual(['a.yaml', 'b.yaml']);
    expect(server.hits).toEqual([ZIP_PATH]);
  });

  it.each([404, 410])('falls back to the plain URL when the proxy answers %i', async (status) => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status });
    serveRaw(server.routes, GOOD);
    const notes: string[] = [];
    const [resolved] = await resolveUpstream(
      [requirement([moduleBundle(server.base)])],
      sources(server.base),
      (note) => notes.push(note),
    );
    await server.stop();

    expect(resolved?.source).toMatch(new RegExp(`^fetched from ${server.base}/raw, verified`));
    expect(notes.join('\n')).toContain(`HTTP ${status}: not served there`);
    expect(server.hits).toEqual([ZIP_PATH, '/raw/defs/a.yaml', '/raw/defs/b.yaml']);
  });

  it('refuses a tampered copy from every origin and writes nothing to the cache', async () => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip({ ...GOOD, 'a.yaml': TAMPERED }) });
    serveRaw(server.routes, { ...GOOD, 'a.yaml': TAMPERED });
    const where = sources(server.base);
    const resolving = resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    await expect(resolving).rejects.toThrow(
      `a.yaml: sha256 ${sha256(TAMPERED)}, expected ${sha256(GOOD['a.yaml'])}`,
    );
    await server.stop();
    expect(existsSync(where.cacheDir)).toBe(false);
  });
});

describe('pinned upstream files: the cache', () => {
  it('is reused, verified, with the server down', async () => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip(GOOD) });
    const where = sources(server.base);
    const wanted = [requirement([moduleBundle(server.base)])];
    await resolveUpstream(wanted, where, () => {});
    await server.stop();

    const [again] = await resolveUpstream(wanted, where, () => {});
    expect(again?.source).toBe(`cache ${join(where.cacheDir, 'defs')} (verified)`);
  });

  it('refuses a tampered entry and fetches it again', async () => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip(GOOD) });
    const where = sources(server.base);
    const wanted = [requirement([moduleBundle(server.base)])];
    await resolveUpstream(wanted, where, () => {});
    const cached = join(where.cacheDir, 'defs', 'a.yaml');
    writeFileSync(cached, TAMPERED);

    const notes: string[] = [];
    const [again] = await resolveUpstream(wanted, where, (note) => notes.push(note));
    await server.stop();
    expect(notes.join('\n')).toContain(`sha256 ${sha256(TAMPERED)}, expected ${sha256(GOOD['a.yaml'])}`);
    expect(again?.source).toMatch(/^fetched from the Go module proxy/);
    expect(readFileSync(cached, 'utf8')).toBe(GOOD['a.yaml']);
    expect(server.hits).toEqual([ZIP_PATH, ZIP_PATH]);
  });
});

describe('pinned upstream files: offline copies', () => {
  it('uses a good explicit folder without the network', async () => {
    const server = await startServer();
    const dir = folderWith(GOOD);
    const where = sources(server.base, { env: { [OFFLINE_ENV]: dir } });
    const [resolved] = await resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    await server.stop();

    expect(resolved?.source).toBe(`offline copy ${OFFLINE_ENV}=${dir} (verified)`);
    expect(resolved?.files.map((file) => file.path)).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    expect(server.hits).toEqual([]);
    expect(existsSync(where.cacheDir)).toBe(false);
  });

  it('uses a good copy beside the checkout (<root>/<folder>) without the network', async () => {
    const server = await startServer();
    const root = tempDir();
    mkdirSync(join(root, 'defs'));
    for (const name of ['a.yaml', 'b.yaml'] as const) writeFileSync(join(root, 'defs', name), GOOD[name]);
    const [resolved] = await resolveUpstream(
      [requirement([moduleBundle(server.base)])],
      sources(server.base, { offlineRoot: root }),
      () => {},
    );
    await server.stop();
    expect(resolved?.source).toBe(`offline copy ${join(root, 'defs')} (verified)`);
    expect(server.hits).toEqual([]);
  });

  it('uses an explicit file for a one-file bundle, whatever its name', async () => {
    const server = await startServer();
    const file = join(folderWith({ 'my-copy.yaml': GOOD['all.yaml'] }), 'my-copy.yaml');
    const wanted: Requirement = {
      ...requirement([singleFileBundle(server.base)]),
      offlineEnv: { name: OFFLINE_ENV, holds: 'file' },
    };
    const [resolved] = await resolveUpstream(
      [wanted],
      sources(server.base, { env: { [OFFLINE_ENV]: file } }),
      () => {},
    );
    await server.stop();
    expect(resolved?.files).toEqual([{ path: file, sha256: sha256(GOOD['all.yaml']) }]);
    expect(server.hits).toEqual([]);
  });

  it.each(['explicit folder', 'copy beside the checkout'])('refuses a tampered %s, loudly', async (kind) => {
    const server = await startServer();
    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip(GOOD) });
    const root = tempDir();
    const dir = join(root, 'defs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), TAMPERED);
    writeFileSync(join(dir, 'b.yaml'), GOOD['b.yaml']);
    const where =
      kind === 'explicit folder'
        ? sources(server.base, { env: { [OFFLINE_ENV]: dir } })
        : sources(server.base, { offlineRoot: root });

    const resolving = resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    await expect(resolving).rejects.toThrow(/Test defs: the offline copy .* is refused/);
    await expect(resolving).rejects.toThrow(
      `${join(dir, 'a.yaml')}: sha256 ${sha256(TAMPERED)}, expected ${sha256(GOOD['a.yaml'])}`,
    );
    await server.stop();
    // Refused means refused: not quietly replaced by a download.
    expect(server.hits).toEqual([]);
  });

  it('refuses an explicit folder that lacks files, naming them', async () => {
    const server = await startServer();
    const dir = folderWith({ 'a.yaml': GOOD['a.yaml'] });
    const where = sources(server.base, { env: { [OFFLINE_ENV]: dir } });
    const resolving = resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    await expect(resolving).rejects.toThrow(`holds no complete set of the pinned files`);
    await expect(resolving).rejects.toThrow(`missing ${join(dir, 'b.yaml')}`);
    await server.stop();
  });
});

describe('pinned upstream files: nothing answers', () => {
  it('names each missing file, every URL it comes from and how to provide it offline', async () => {
    const server = await startServer();
    await server.stop();
    const root = join(tempDir(), 'shared', 'schemas');
    const where = sources(server.base, { offlineRoot: root });
    const resolving = resolveUpstream([requirement([moduleBundle(server.base)])], where, () => {});
    const message = await resolving.then(
      () => '',
      (error: Error) => error.message,
    );

    for (const name of ['a.yaml', 'b.yaml'] as const) {
      expect(message).toContain(`${name}  sha256 ${sha256(GOOD[name])}`);
      expect(message).toContain(
        `from ${server.base}${ZIP_PATH}, zip entry ${MODULE}@${VERSION}/defs/${name}`,
      );
      expect(message).toContain(`from ${server.base}/raw/defs/${name}`);
    }
    expect(message).toContain(`the Go module proxy (${server.base}${ZIP_PATH}): fetch failed`);
    expect(message).toContain(`set ${OFFLINE_ENV} to it, or put them in ${join(root, 'defs')}/`);
    expect(existsSync(where.cacheDir)).toBe(false);
  });
});

describe('pinned upstream files: a requirement any one of several bundles satisfies', () => {
  it('accepts an offline folder holding only the second bundle', async () => {
    const server = await startServer();
    const dir = folderWith({ 'all.yaml': GOOD['all.yaml'] });
    const bundles = [moduleBundle(server.base), singleFileBundle(server.base)];
    const [resolved] = await resolveUpstream(
      [requirement(bundles)],
      sources(server.base, { env: { [OFFLINE_ENV]: dir } }),
      () => {},
    );
    await server.stop();
    expect(resolved?.bundle).toBe(bundles[1]);
    expect(server.hits).toEqual([]);
  });

  it('fetches the bundles in the order listed, the next when one cannot be had', async () => {
    const server = await startServer();
    serveRaw(server.routes, { 'all.yaml': GOOD['all.yaml'] });
    const bundles = [moduleBundle(server.base), singleFileBundle(server.base)];
    const where = sources(server.base);
    const [fallback] = await resolveUpstream([requirement(bundles)], where, () => {});
    expect(fallback?.bundle).toBe(bundles[1]);
    expect(server.hits).toEqual([ZIP_PATH, '/raw/defs/a.yaml', '/raw/defs/all.yaml']);

    server.routes.set(ZIP_PATH, { status: 200, body: moduleZip(GOOD) });
    const [preferred] = await resolveUpstream([requirement(bundles)], sources(server.base), () => {});
    await server.stop();
    expect(preferred?.bundle).toBe(bundles[0]);
  });
});

const sharedSchemas = join(repoRoot, '..', 'shared', 'schemas');
const hasSharedSchemas = existsSync(sharedSchemas);
const skipReason = `skipped: there is no ${sharedSchemas} beside this checkout`;
// The default reporter shows only a count of skipped tests; say why.
if (!hasSharedSchemas) console.warn(`The real manifest's hashes against ../shared/schemas: ${skipReason}`);

describe('the real manifest (scripts/lib/upstream-files.ts)', () => {
  const title = hasSharedSchemas
    ? `has the hashes of the offline copy in ${sharedSchemas}`
    : `has the hashes of ../shared/schemas (${skipReason})`;
  it.skipIf(!hasSharedSchemas)(title, async () => {
    // No proxy and an empty cache: only the offline copy can answer, and any file there that is not the
    // pinned bytes is an error.
    const where: UpstreamSources = {
      cacheDir: join(tempDir(), 'cache'),
      offlineRoot: sharedSchemas,
      env: {},
      goProxy: undefined,
    };
    const resolved = await resolveUpstream([...CRD_REQUIREMENTS, SKAFFOLD_SCHEMA], where, () => {});
    expect(resolved.map((entry) => entry.source)).toEqual([
      expect.stringMatching(/^offline copy \S*shared\/schemas\/crds \(verified\)$/),
      expect.stringMatching(/^offline copy \S*shared\/schemas\/crds \(verified\)$/),
      expect.stringMatching(/^offline copy \S*shared\/schemas\/skaffold \(verified\)$/),
    ]);
  });
});
