// `docker build` of one service's image from the repository's Dockerfile, as a release would build it,
// except for the network: `--network host`, because the engine the tests start has no bridge network.
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';
import { runCaptured } from './processes.js';

export interface BuiltImage {
  tag: string;
  buildSeconds: number;
  sizeBytes: number;
}

/** The tag the tests give a service's image: never one a registry would serve. */
export const testImageTag = (service: string) => `bonding-test/${service}:local`;

export async function buildImage(docker: string, service: string): Promise<BuiltImage> {
  const tag = testImageTag(service);
  const started = Date.now();
  const { exit, output } = await runCaptured(
    docker,
    ['build', '--progress=plain', '--network', 'host', '--build-arg', `SERVICE=${service}`, '-t', tag, '.'],
    // BuildKit: the Dockerfile's RUN --mount=type=cache needs it (the Debian client's default is the
    // classic builder).
    { cwd: repoRoot, env: { ...process.env, DOCKER_BUILDKIT: '1' } },
  );
  if (exit.code !== 0) {
    throw new Error(
      `docker build of ${service} failed (${exit.code}):\n${output.split('\n').slice(-60).join('\n')}`,
    );
  }
  const buildSeconds = (Date.now() - started) / 1000;
  const size = spawnSync(docker, ['image', 'inspect', '--format', '{{.Size}}', tag], { encoding: 'utf8' });
  return { tag, buildSeconds, sizeBytes: Number(size.stdout.trim()) };
}
