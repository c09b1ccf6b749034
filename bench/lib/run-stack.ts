// Migrates, seeds and starts the bench stack's processes. Services start one after another, so that each
// start-to-ready time is the service's own and not a share of two cores among eight starting processes.
import { migrateArgs, type ServiceSpec, seedArgs, serviceDir } from '../../scripts/lib/services.js';
import { type RunningService, runToCompletion, startService } from './child-process.js';
import { type BenchStack, benchServices } from './stack.js';

/** How a service's main is started: as npm start does (tsx), or as its image does (image-launcher.ts). */
export interface Launcher {
  name: string;
  args(spec: ServiceSpec): string[];
  /** The working directory (default: the service's folder). */
  cwd?(spec: ServiceSpec): string | undefined;
  /** Environment on top of the bench's (an image's ENV). */
  env?(spec: ServiceSpec): Record<string, string>;
  /** Whether the launcher's name describes how this service runs (default: every service). */
  covers?(name: string): boolean;
}

export const tsxLauncher: Launcher = {
  name: 'tsx (as npm start)',
  args: () => ['--import', 'tsx', '--import', '@bonding/kit/tracing', 'src/main.ts'],
};

export async function migrateAndSeed(stack: BenchStack): Promise<void> {
  const withDatabase = benchServices.filter((spec) => spec.database !== false);
  await Promise.all(
    withDatabase.map((spec) =>
      runToCompletion(`migrations of ${spec.name}`, process.execPath, migrateArgs, {
        cwd: serviceDir(spec),
        env: stack.envFor(spec, false),
      }),
    ),
  );
  for (const spec of benchServices.filter((s) => s.seed)) {
    await runToCompletion(`demo data of ${spec.name}`, process.execPath, seedArgs, {
      cwd: serviceDir(spec),
      env: stack.envFor(spec, false),
    });
  }
}

const readyUrlOf = (spec: ServiceSpec) => spec.readyUrl ?? `http://127.0.0.1:${spec.port}/readyz`;

export async function startOne(
  stack: BenchStack,
  spec: ServiceSpec,
  options: { tracing: boolean; launcher: Launcher },
): Promise<RunningService> {
  return startService(spec.name, process.execPath, options.launcher.args(spec), {
    cwd: options.launcher.cwd?.(spec) ?? serviceDir(spec),
    env: { ...stack.envFor(spec, options.tracing), ...options.launcher.env?.(spec) },
    readyUrl: readyUrlOf(spec),
  });
}

/** Starts the named services (default: all) in order; stops those already started if one fails. */
export async function startStack(
  stack: BenchStack,
  options: { tracing: boolean; launcher: Launcher; only?: string[] },
): Promise<Map<string, RunningService>> {
  const running = new Map<string, RunningService>();
  try {
    for (const spec of benchServices) {
      if (options.only && !options.only.includes(spec.name)) continue;
      running.set(spec.name, await startOne(stack, spec, options));
    }
  } catch (error) {
    await stopAll(running);
    throw error;
  }
  return running;
}

export async function stopAll(running: Map<string, RunningService>): Promise<void> {
  await Promise.all([...running.values()].map((service) => service.stop()));
  running.clear();
}
