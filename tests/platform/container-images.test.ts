import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type ServiceProcess, startServiceProcess } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BaseImageSource, ensureBaseImage } from '../../scripts/lib/base-image-standin.js';
import { engineUnavailable, ensureContainerEngine } from '../../scripts/lib/container-engine.js';
import { globalArg, imageRuntime } from '../../scripts/lib/dockerfile.js';
import { type BuiltImage, buildImage, testImageTag } from '../../scripts/lib/image-build.js';
import { imageServices } from '../../scripts/lib/image-layout.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { runCaptured } from '../../scripts/lib/processes.js';
import { Containers } from './containers.js';
import { PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';
import { runSmokeScript } from './smoke-script.js';

/**
 * The images, built and run in real containers: a Docker engine (Debian's docker.io, installed and started
 * when none answers), the Dockerfile's base image (a stand-in from Debian and npm packages when no registry
 * answers: scripts/lib/base-image-standin.ts), all seven images built from the Dockerfile as written, then
 * the platform run from them as the chart runs it: the chart's migrations command first, then each
 * service's CMD as user 10001 on a read-only root filesystem, behind the local gateway, and k8s/smoke.sh's
 * loan story through it. Without root or apt-get it skips and says why; under CI=true that is a failure.
 */
const unavailable = engineUnavailable();
const mustRun = process.env.CI === 'true';
if (unavailable && !mustRun) console.warn(`container images: skipped: ${unavailable}`);

const migrate = (
  parse(readFileSync(join(repoRoot, 'charts', 'bonding', 'values.yaml'), 'utf8')) as {
    serviceDefaults: { migrations: { command: string[] } };
  }
).serviceDefaults.migrations.command;
const runtime = imageRuntime();

let containers: Containers;
let base: BaseImageSource;
const built: Record<string, BuiltImage> = {};
let platform: Platform;
let docs: ServiceProcess;

describe.skipIf(unavailable !== undefined && !mustRun)('the images in containers', () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true and ${unavailable}`);
    const engine = await ensureContainerEngine();
    console.info(`container images: Docker engine ${engine.how} (${engine.docker})`);
    const reference = globalArg('NODE_IMAGE');
    base = ensureBaseImage(engine.docker, reference);
    console.info(
      base.how.startsWith('stand-in')
        ? `container images: base image ${reference} is a STAND-IN (${base.how}, ${base.seconds.toFixed(1)} s): no registry answered; see scripts/lib/base-image-standin.ts`
        : `container images: base image ${reference} ${base.how}`,
    );
    // One after the other: they share every layer up to the SERVICE argument, built once by the first.
    for (const service of imageServices()) built[service] = await buildImage(engine.docker, service);

    containers = new Containers(engine.docker, runtime.cmd);
    const [node, ...initArgs] = migrate;
    if (node !== 'node') throw new Error(`the chart's migrations run ${node}, not node`);
    platform = await startPlatform({
      name: 'containers',
      services: PLATFORM_SERVICES,
      // kong.yml's own limits: smoke.sh ends past the sign-in limit.
      rateLimits: {},
      launch: (name) => ({
        cwd: repoRoot,
        nodeArgs: runtime.cmd.slice(1),
        initArgs,
        run: containers.runner(testImageTag(name), name),
      }),
      startTimeoutMs: 120_000,
    });
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1' };
    docs = await startServiceProcess({
      cwd: repoRoot,
      command: engine.docker,
      nodeArgs: containers.args(testImageTag('docs'), 'docs', env),
      port,
      env,
      timeoutMs: 60_000,
    });
  }, 900_000);

  afterAll(async () => {
    await containers?.close();
    await docs?.stop('SIGKILL');
    await platform?.close();
    const rows = Object.entries(built).map(([service, image]) => {
      const started =
        service === 'docs' ? docs : platform?.process(service as (typeof PLATFORM_SERVICES)[number]);
      return `| ${service} | ${(image.sizeBytes / 1e6).toFixed(0)} MB | ${image.buildSeconds.toFixed(1)} s | ${started ? `${(started.readyMs / 1000).toFixed(2)} s` : '–'} |`;
    });
    console.info(
      [
        `container images (base: ${base?.how}):`,
        '| image | size | build | start to ready |',
        '| --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  }, 120_000);

  it('builds all seven images from the Dockerfile, each running its CMD as user 10001', async () => {
    expect(Object.keys(built).sort()).toEqual([...PLATFORM_SERVICES, 'docs'].sort());
    for (const image of Object.values(built)) {
      const { output } = await runCaptured(
        containers.docker,
        ['image', 'inspect', '--format', '{{json .Config.User}} {{json .Config.Cmd}}', image.tag],
        { cwd: repoRoot },
      );
      expect(output.trim(), image.tag).toBe(`"10001:10001" ${JSON.stringify(runtime.cmd)}`);
    }
  });

  it('runs every service ready and live as user 10001, unable to write outside /tmp', async () => {
    for (const name of PLATFORM_SERVICES) {
      for (const path of ['/livez', '/readyz']) {
        const response = await fetch(`${platform.url(name)}${path}`);
        expect(response.status, `${name} ${path}: ${await response.text()}`).toBe(200);
      }
      const container = await containers.find(name);
      const probe = [
        'const fs = require("node:fs");',
        'let app = "written";',
        'try { fs.writeFileSync("/app/probe", "x"); } catch (error) { app = error.code; }',
        'fs.writeFileSync("/tmp/probe", "x");',
        'console.log(process.getuid(), app);',
      ].join(' ');
      const { exit, output } = await runCaptured(
        containers.docker,
        ['exec', container, 'node', '-e', probe],
        {
          cwd: repoRoot,
        },
      );
      expect(exit.code, output).toBe(0);
      expect(output.trim(), name).toBe('10001 EROFS');
    }
  }, 60_000);

  it("passes k8s/smoke.sh's story through the edge: sign-up, a loan to REPAID, the sign-in limit", async () => {
    const { exit, output } = await runSmokeScript(platform);
    expect(exit.code, output).toBe(0);
    expect(output).toContain('REPAID');
    expect(output).toContain('ok 429 past the sign-in limit');
  }, 180_000);

  it("serves the docs portal's merged document from its image", async () => {
    const document = await fetch(`${docs.baseUrl}/openapi.json`);
    expect(document.status).toBe(200);
    const served = (await document.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths).length).toBeGreaterThan(50);
  });
});
