// A compiled variant of each service, to see what tsx costs at start and at rest: esbuild bundles the
// service's and the workspace packages' TypeScript (@bonding/*) into one ES module; every third-party
// package stays an ordinary bare import, so Node loads it from node_modules as before and the tracing
// instrumentations (which patch modules by package name) still find mysql2, http and undici. The kit's
// tracing loader is built the same way and preloaded with --import, as in the shipped command.
//
// Output: .local/bench/compiled/<service>/{main.mjs,tracing.mjs,node_modules/}, where node_modules links
// every package the workspace installed (the service's own first), since the bundle needs its
// dependencies' dependencies too. Nothing in the repository changes; npm start, the tests and the
// Dockerfile still run through tsx.
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from '../../scripts/lib/paths.js';
import { type ServiceSpec, serviceDir } from '../../scripts/lib/services.js';
import type { Launcher } from './run-stack.js';
import { benchDir, benchServices } from './stack.js';

const outRoot = join(benchDir, 'compiled');

/** Bundles the workspace's own TypeScript; leaves every other package to Node. */
const workspaceOnly: Plugin = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@bonding/') ? undefined : { path: args.path, external: true },
    );
  },
};

function nodeModulesDirs(first: string): string[] {
  const workspace = ['packages', 'services'].flatMap((group) =>
    readdirSync(join(repoRoot, group)).map((name) => join(repoRoot, group, name, 'node_modules')),
  );
  return [join(first, 'node_modules'), ...workspace, join(repoRoot, 'node_modules')].filter(existsSync);
}

/** One node_modules that links each installed package once (earlier directories win). */
function linkNodeModules(target: string, sources: string[]): void {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const link = (from: string, name: string) => {
    const to = join(target, name);
    if (existsSync(to)) return;
    symlinkSync(realpathSync(from), to);
  };
  for (const source of sources) {
    for (const entry of readdirSync(source)) {
      if (entry.startsWith('.') || entry === '@bonding') continue;
      const path = join(source, entry);
      if (entry.startsWith('@')) {
        mkdirSync(join(target, entry), { recursive: true });
        for (const scoped of readdirSync(path)) link(join(path, scoped), join(entry, scoped));
      } else {
        link(path, entry);
      }
    }
  }
}

async function buildService(spec: ServiceSpec): Promise<string> {
  const dir = join(outRoot, spec.name);
  mkdirSync(dir, { recursive: true });
  linkNodeModules(join(dir, 'node_modules'), nodeModulesDirs(serviceDir(spec)));
  await build({
    entryPoints: {
      main: join(serviceDir(spec), 'src', 'main.ts'),
      tracing: join(repoRoot, 'packages', 'kit', 'src', 'tracing', 'register.ts'),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Node's own resolution for what stays external; esbuild's 'module' condition would differ from it.
    conditions: ['node'],
    plugins: [workspaceOnly],
    logLevel: 'error',
  });
  return dir;
}

/** Builds every service (a few seconds) and returns how to start the builds. */
export async function compiledLauncher(): Promise<Launcher> {
  const dirs = new Map<string, string>();
  for (const spec of benchServices) dirs.set(spec.name, await buildService(spec));
  return {
    name: 'compiled (esbuild bundle)',
    args: (spec) => {
      const dir = dirs.get(spec.name) as string;
      return ['--import', pathToFileURL(join(dir, 'tracing.mjs')).href, join(dir, 'main.mjs')];
    },
  };
}
