// The compiled build of a service, as the images run it (scripts/image-layout.sh): esbuild bundles the
// service's and the workspace packages' TypeScript (@bonding/*) into ES modules. Every third-party package
// stays an ordinary bare import that Node resolves from node_modules at run time, so the tracing
// instrumentations, which patch modules by package name (mysql2, http, undici), still find them, and native
// or file-reading packages (argon2, swagger-ui-dist) behave as they do under tsx.
//
// Entries, each `<outDir>/<name>.mjs`:
//   main          src/main.ts — the server
//   migrate       src/migrate.ts — the chart's init container (services that own a database)
//   dead-letters  src/dead-letters.ts — the runbook's dead-letter commands (where a service has them)
//   nats-provision  scripts/nats-provision.ts — the chart's NATS hook Job (stream and durables from
//                 platform/shape.ts), in every service's build: the Job runs in any service's image
//   tracing       the kit's tracing loader, preloaded with `node --import` before main
// and the code they share in <outDir>/chunks/. Not src/seed.ts: demo data is a local concern (`npm start`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { repoRoot } from './paths.js';

/** The entries a service's build has, besides main and tracing, when it has their source. */
export const OPTIONAL_ENTRIES = ['migrate', 'dead-letters'] as const;

/**
 * The entries every service's build has, from the repository's scripts (their sources are in the image's
 * build context: .dockerignore).
 */
export const PLATFORM_ENTRIES = { 'nats-provision': 'scripts/nats-provision.ts' } as const;

/** Bundles the workspace's own TypeScript; leaves every other package to Node. */
const workspaceOnly: Plugin = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@bonding/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** The entry points of services/<name>'s build: output name → source file. */
export type ServiceEntries = { main: string; tracing: string } & Record<string, string>;

export function serviceEntries(name: string): ServiceEntries {
  const src = join(repoRoot, 'services', name, 'src');
  if (!existsSync(join(src, 'main.ts'))) throw new Error(`services/${name} has no src/main.ts`);
  const entries: ServiceEntries = {
    main: join(src, 'main.ts'),
    tracing: join(repoRoot, 'packages', 'kit', 'src', 'tracing', 'register.ts'),
  };
  for (const entry of OPTIONAL_ENTRIES) {
    const file = join(src, `${entry}.ts`);
    if (existsSync(file)) entries[entry] = file;
  }
  for (const [entry, file] of Object.entries(PLATFORM_ENTRIES)) entries[entry] = join(repoRoot, file);
  return entries;
}

const common = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Node's own resolution for what stays external; esbuild's 'module' condition would differ from it.
  conditions: ['node'],
  plugins: [workspaceOnly],
  logLevel: 'error',
} satisfies BuildOptions;

/** Builds services/<name> into `outDir` (created if needed); returns the files written. */
export async function buildService(name: string, outDir: string): Promise<string[]> {
  const { tracing, ...service } = serviceEntries(name);
  // The tracing loader on its own, with nothing shared: a chunk it shared with main could import a
  // package (mysql2) before the loader has registered the hooks that patch it.
  await build({ ...common, outdir: outDir, entryPoints: { tracing } });
  await build({
    ...common,
    outdir: outDir,
    entryPoints: service,
    // Code the entries share, and the docs portal's lazily imported service documents, go to chunks of
    // their own: a lazy import stays lazy, so its packages load only if it runs.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  return ['tracing', ...Object.keys(service)].map((entry) => join(outDir, `${entry}.mjs`));
}
