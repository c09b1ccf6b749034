// The images' /app trees outside Docker: scripts/image-layout.sh (what the Dockerfile's build stage runs)
// into any folder, and how the image runs a service from its tree (the Dockerfile's WORKDIR, ENV and CMD,
// with /app moved to that folder). For tests/platform/image-layout.test.ts and the benchmarks.
import { delimiter, dirname, join } from 'node:path';
import { dockerfileInstructions, expandRefs, imageRuntime, ref } from './dockerfile.js';
import { repoRoot } from './paths.js';
import { describeExit, runCaptured } from './processes.js';

/** Where the Dockerfile puts the tree. */
const IMAGE_ROOT = '/app';

/** The services the Dockerfile builds: its SERVICE guard's list. */
export function imageServices(instructions = dockerfileInstructions()): string[] {
  const guard = instructions.find((i) => i.args.includes(`case "${ref('SERVICE')}" in`))?.args ?? '';
  const list = guard.match(/ in ([\w|-]+)\)/)?.[1];
  if (!list) throw new Error(`no SERVICE guard (case "${ref('SERVICE')}" in a|b) ;;) in the Dockerfile`);
  return list.split('|');
}

/**
 * Runs scripts/image-layout.sh for `service` into `outDir`, with this Node and the bootstrap's pnpm first
 * on PATH; `pnpmFlags` go to `pnpm deploy` (e.g. --offline). Resolves with its duration; throws with its
 * output when it fails.
 */
export async function layOutImage(service: string, outDir: string, pnpmFlags = ''): Promise<number> {
  const started = Date.now();
  const PATH = [
    dirname(process.execPath),
    join(repoRoot, '.tools', 'pnpm', 'node_modules', '.bin'),
    process.env.PATH ?? '',
  ].join(delimiter);
  const { exit, output } = await runCaptured(
    join(repoRoot, 'scripts', 'image-layout.sh'),
    [service, outDir],
    {
      cwd: repoRoot,
      env: { ...process.env, PATH, IMAGE_LAYOUT_PNPM_FLAGS: pnpmFlags },
    },
  );
  if (exit.code !== 0) {
    throw new Error(`scripts/image-layout.sh ${service} ${describeExit(exit)}:\n${output}`);
  }
  return Date.now() - started;
}

/** How the image runs: working directory, `node` arguments and environment. */
export interface ImageProcess {
  cwd: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

/** How the image of `service` runs it, from the tree laid out in `outDir` instead of /app. */
export function imageProcess(service: string, outDir: string, runtime = imageRuntime()): ImageProcess {
  const values = { ...runtime.args, SERVICE: service };
  const local = (value: string) =>
    expandRefs(value, values).replace(new RegExp(`^${IMAGE_ROOT}(?=/|$)`), outDir);
  const [command, ...nodeArgs] = runtime.cmd;
  if (command !== 'node') throw new Error(`the image's CMD runs ${command}, not node`);
  return {
    cwd: local(runtime.workdir),
    nodeArgs,
    env: Object.fromEntries(Object.entries(runtime.env).map(([name, value]) => [name, local(value)])),
  };
}
