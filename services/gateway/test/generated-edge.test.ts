// The edge files generated from platform/shape.ts: fresh, stable, and followed by routes no one declared.
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSigningKeyDir } from '@bonding/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { staleFiles, staleMessage, writeGenerated } from '../../../platform/generate/freshness.js';
import { generatedFiles } from '../../../platform/generate/generated-files.js';
import { unhandledSubscriptions } from '../../../platform/generate/handler-check.js';
import { renderKongYml } from '../../../platform/generate/kong-yml.js';
import { routePlugins } from '../../../platform/generate/route-plugins.js';
import { shapeProblems } from '../../../platform/generate/shape-check.js';
import { loadDeclarativeConfig } from '../src/declarative/load.js';
import { publicKeysFromDir, renderKongConfig } from '../src/declarative/render.js';
import { buildPluginChains } from '../src/plugins/registry.js';
import { createRouter } from '../src/router/router.js';
import { repoRoot } from './edge.js';

const someId = '01900000-0000-7000-8000-000000000000';

function generatedEdge() {
  const keys = publicKeysFromDir(createSigningKeyDir().dir);
  const model = loadDeclarativeConfig(renderKongConfig(renderKongYml(), { keys }));
  return { model, router: createRouter(model.routes), chains: buildPluginChains(model, new Registry()) };
}

describe('generated files', () => {
  it.each(generatedFiles.map((file) => file.path))('%s is what platform/shape.ts generates', async (path) => {
    const file = generatedFiles.find((candidate) => candidate.path === path);
    expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(await file?.render());
  });

  it('finds a stale generated file and names the command that regenerates it', async () => {
    // A copy of the generated files, one edited by hand: what lint's freshness check refuses.
    const root = mkdtempSync(join(tmpdir(), 'bonding-generated-'));
    for (const file of generatedFiles) {
      mkdirSync(dirname(join(root, file.path)), { recursive: true });
      copyFileSync(join(repoRoot, file.path), join(root, file.path));
    }
    appendFileSync(join(root, 'kong', 'kong.yml'), '# edited by hand\n');
    const stale = await staleFiles(root);
    expect(stale).toEqual(['kong/kong.yml']);
    expect(staleMessage(stale)).toContain('npm run generate');
    expect(await writeGenerated(root)).toEqual(['kong/kong.yml']);
    expect(await staleFiles(root)).toEqual([]);
  });

  it('finds every OpenAPI operation in a route group of its service, with jwt exactly where it needs a token', async () => {
    expect(await shapeProblems()).toEqual([]);
  });

  it('has a handler in each subscriber for every event its subscriptions match', () => {
    expect(unhandledSubscriptions(repoRoot)).toEqual([]);
  });

  it('renders RS256 credentials with the secret decK requires (npm test runs deck file validate on the render)', () => {
    const keys = publicKeysFromDir(createSigningKeyDir('2026-11').dir);
    const rendered = parse(renderKongConfig(renderKongYml(), { keys })) as {
      consumers: { jwt_secrets?: Record<string, string>[] }[];
    };
    const [credential] = rendered.consumers.flatMap((consumer) => consumer.jwt_secrets ?? []);
    expect(credential).toMatchObject({ key: '2026-11', algorithm: 'RS256', secret: expect.any(String) });
    expect(credential?.secret?.length).toBeGreaterThanOrEqual(32);
    // The local gateway (Kong's stand-in) loads it and verifies tokens as before.
    expect(() => loadDeclarativeConfig(renderKongConfig(renderKongYml(), { keys }))).not.toThrow();
  });

  it('generates the same bytes on every run', async () => {
    for (const file of generatedFiles) expect(await file.render()).toBe(await file.render());
  });

  it('routes a route that no one declared, under an existing group, with that group’s plugins', () => {
    // A new loans route (its route file is the only change) is served through loans-lifecycle, jwt first.
    const { router, chains } = generatedEdge();
    const match = router.match('POST', `/api/v1/loans/${someId}/a-route-added-later`);
    expect(match?.route.name).toBe('loans-lifecycle');
    expect(chains.forRoute(match?.route as never).map((plugin) => plugin.name)).toContain('jwt');
  });

  it('refuses a group without a verified token that would count per user', () => {
    expect(() =>
      routePlugins({
        name: 'x',
        service: 'catalog',
        auth: 'public',
        rateLimit: 'per-user',
        paths: ['/x'],
        methods: ['GET'],
      }),
    ).toThrow(/must count per address/);
  });
});
