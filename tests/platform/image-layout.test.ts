import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  freePort,
  type OtlpReceiver,
  OtlpSpanKind,
  type ServiceProcess,
  startOtlpReceiver,
  startServiceProcess,
  waitFor,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { imageRuntime } from '../../scripts/lib/dockerfile.js';
import { imageProcess, imageServices, layOutImage } from '../../scripts/lib/image-layout.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { runCaptured } from '../../scripts/lib/processes.js';
import {
  approvedAgent,
  completeStudent,
  createProduct,
  raiseLoan,
  signInAdmin,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { PLATFORM_SERVICES, type Platform, type PlatformService, startPlatform } from './platform.js';

/**
 * The images work without Docker: scripts/image-layout.sh, which the Dockerfile runs, lays out every image
 * service's /app tree in a temporary folder; the platform then runs from those trees as the images run it
 * (the Dockerfile's WORKDIR, ENV and CMD, read from the Dockerfile) after the chart's migrations command
 * (read from values.yaml, as its init container runs it), with tracing on. The gateway is not an image
 * service and runs as `npm start` runs it.
 */
const out = mkdtempSync(join(tmpdir(), 'bonding-image-'));
const services = imageServices();
const migrate = (
  parse(readFileSync(join(repoRoot, 'charts', 'bonding', 'values.yaml'), 'utf8')) as {
    serviceDefaults: { migrations: { command: string[] } };
  }
).serviceDefaults.migrations.command;

let receiver: OtlpReceiver;
let platform: Platform;
let docs: ServiceProcess;
const layoutMs: Record<string, number> = {};

beforeAll(async () => {
  // One after the other: each is mostly pnpm copying files (a few seconds offline) and esbuild.
  for (const service of services) layoutMs[service] = await layOutImage(service, out, '--prefer-offline');
  console.info(`image layouts (ms): ${JSON.stringify(layoutMs)}`);

  receiver = await startOtlpReceiver();
  const [command, ...initArgs] = migrate;
  if (command !== 'node') throw new Error(`the chart's migrations run ${command}, not node`);
  const runtime = imageRuntime();
  const image = (name: PlatformService) => imageProcess(name, out, runtime);
  platform = await startPlatform({
    name: 'image',
    services: PLATFORM_SERVICES,
    launch: (name) => ({ cwd: image(name).cwd, nodeArgs: image(name).nodeArgs, initArgs }),
    env: {
      ...Object.fromEntries(PLATFORM_SERVICES.map((name) => [name, image(name).env])),
      all: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    },
    startTimeoutMs: 120_000,
  });
  const portal = imageProcess('docs', out);
  docs = await startServiceProcess({ ...portal, port: await freePort(), timeoutMs: 60_000 });
}, 600_000);

afterAll(async () => {
  await docs?.stop('SIGKILL');
  await platform?.close();
  await receiver?.close();
  rmSync(out, { recursive: true, force: true });
});

/** Every file of a tree outside node_modules, relative to it. */
function ownFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' && dir === base ? [] : ownFiles(path, base);
    return [relative(base, path)];
  });
}

describe('the image layout (scripts/image-layout.sh)', () => {
  it('holds the compiled build and production dependencies only: no TypeScript, no dev tools', () => {
    expect(services).toEqual(expect.arrayContaining([...PLATFORM_SERVICES, 'docs']));
    for (const service of services) {
      const tree = join(out, 'services', service);
      const files = ownFiles(tree);
      expect(files, service).toEqual(
        expect.arrayContaining(['package.json', 'dist/main.mjs', 'dist/tracing.mjs']),
      );
      // Bundles, their chunks and the docs portal's document; the workspace's sources are bundled.
      expect(
        files.filter((file) => file !== 'package.json' && !/^dist\/[\w/-]+\.(mjs|json)$/.test(file)),
        service,
      ).toEqual([]);
      expect(existsSync(join(tree, 'node_modules', '@bonding')), `${service}: workspace sources`).toBe(false);
      for (const devTool of ['tsx', 'vitest', 'esbuild', 'typescript']) {
        expect(existsSync(join(tree, 'node_modules', devTool)), `${service}: ${devTool}`).toBe(false);
      }
    }
    expect(existsSync(join(out, 'services', 'docs', 'dist', 'openapi.json'))).toBe(true);
  });
});

describe('the platform running from the image trees', () => {
  it('migrated every database with the chart command and got every service ready on its compiled build', async () => {
    for (const name of PLATFORM_SERVICES) {
      const running = platform.process(name);
      expect(running?.child.spawnargs.slice(1), name).toEqual(imageProcess(name, out).nodeArgs);
      // Ready means every migration the code knows is applied: the services started with
      // MIGRATE_ON_START off, so the chart's command (run first) applied them.
      const ready = await fetch(`${platform.url(name)}/readyz`);
      expect(ready.status, `${name} /readyz: ${await ready.text()}`).toBe(200);
    }
  });

  it('serves users through the edge: the catalog, a bonding file, a loan to disbursement', async () => {
    const adminToken = await signInAdmin(platform);
    const productId = await createProduct(platform, adminToken);
    const products = await platform.api('GET', '/products?limit=100');
    expect(products.status, products.text).toBe(200);
    expect(products.json.items.map((product: { id: string }) => product.id)).toContain(productId);

    const student = await completeStudent(platform);
    const me = await platform.api('GET', '/students/me', { token: student.token });
    expect(me.status, me.text).toBe(200);
    // The personal details were decrypted with the service's field keys (the bundle's crypto code).
    expect(me.json).toMatchObject({
      completeness: { complete: true },
      student: { studentId: student.id, firstName: 'Chisomo' },
    });

    // loans calls catalog and students, then the saga runs through the ledger's events.
    const agent = await approvedAgent(platform, adminToken);
    const loan = await raiseLoan(platform, agent.token, { productId, studentId: student.id });
    expect(loan.status, loan.text).toBe(201);
    const approved = await platform.api('POST', `/loans/${loan.json.id}/approve`, {
      token: adminToken,
      body: {},
    });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loan.json.id, student.token, 'DISBURSED');
    // The saga ran over JetStream, not HTTP: ask the ledger and notifications through the edge too.
    expect(await walletBalance(platform, student.token)).toBeGreaterThan(0);
    const notices = await platform.api('GET', '/notifications?limit=5', { token: student.token });
    expect(notices.status, notices.text).toBe(200);
  }, 120_000);

  it("exports every service's spans, mysql2's among them: the instrumentations patch the bundles' imports", async () => {
    const has = (service: string, scope: string, kind?: number) =>
      receiver.spans.some(
        (span) =>
          span.service === service &&
          span.scope === `@opentelemetry/instrumentation-${scope}` &&
          (kind === undefined || span.kind === kind),
      );
    const missing = () =>
      PLATFORM_SERVICES.flatMap((service) => [
        ...(has(service, 'http', OtlpSpanKind.SERVER) ? [] : [`${service} http server`]),
        ...(has(service, 'mysql2') ? [] : [`${service} mysql2`]),
      ]);
    await waitFor(() => missing().length === 0, { timeoutMs: 30_000, what: 'spans of every service' }).catch(
      () => undefined,
    );
    expect(missing()).toEqual([]);
    const version = receiver.spans.find((span) => span.service === 'students')?.resource['service.version'];
    expect(version, "the image's SERVICE_VERSION").toBe(imageProcess('students', out).env.SERVICE_VERSION);
  }, 60_000);

  it('runs the dead-letter tool of every consumer from its tree, as the runbook does in a pod', async () => {
    const consumers = PLATFORM_SERVICES.filter((name) =>
      existsSync(join(out, 'services', name, 'dist', 'dead-letters.mjs')),
    );
    // Every service that consumes events keeps its own dead letters and has the runbook's tool.
    expect(consumers).toEqual(['students', 'catalog', 'ledger', 'loans', 'notifications']);
    for (const name of consumers) {
      const { cwd, env } = imageProcess(name, out);
      const { exit, output } = await runCaptured(process.execPath, ['dist/dead-letters.mjs', 'list'], {
        cwd,
        env: { ...process.env, ...env, MYSQL_URL: platform.databaseUrl(name) },
      });
      expect(exit.code, `${name}: ${output}`).toBe(0);
    }
  }, 60_000);

  it("serves the docs portal's merged document and the reference's assets", async () => {
    const document = await fetch(`${docs.baseUrl}/openapi.json`);
    expect(document.status).toBe(200);
    const built = JSON.parse(readFileSync(join(out, 'services', 'docs', 'dist', 'openapi.json'), 'utf8'));
    const served = (await document.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths)).toEqual(Object.keys(built.paths));
    // swagger-ui-dist, resolved from the bundle's location in the tree.
    const css = await fetch(`${docs.baseUrl}/docs/assets/swagger-ui.css`);
    expect(css.status).toBe(200);
  });
});
