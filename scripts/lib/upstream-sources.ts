// Where `npm test` looks for the pinned upstream files (scripts/lib/upstream-files.ts), and the one log line
// per requirement that says which source served it.
import { join } from 'node:path';
import { goProxyBase } from './go-proxy.js';
import { repoRoot } from './paths.js';
import { info } from './processes.js';
import { resolveUpstream } from './upstream-fetch.js';
import type { Requirement, Resolved, UpstreamSources } from './upstream-types.js';

export const upstreamCacheDir = join(repoRoot, '.cache', 'upstream');

export function upstreamSources(): UpstreamSources {
  return {
    cacheDir: upstreamCacheDir,
    // The development machines keep an offline copy beside the checkout; a plain clone has none.
    offlineRoot: join(repoRoot, '..', 'shared', 'schemas'),
    env: process.env,
    goProxy: goProxyBase(process.env.GOPROXY),
  };
}

export async function resolvePinned(scope: string, requirements: Requirement[]): Promise<Resolved[]> {
  const resolved = await resolveUpstream(requirements, upstreamSources(), (message) => info(scope, message));
  for (const { requirement, source } of resolved) info(scope, `${requirement.title}: ${source}`);
  return resolved;
}
