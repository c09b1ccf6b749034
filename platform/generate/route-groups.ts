// Which declared route group the edge gives a request, as Kong's router decides it for these paths:
// regex paths before prefixes, then the longest prefix, among the groups that route the method.
import { routeGroups } from '../shape.js';
import type { RouteGroup } from '../shape-types.js';

function matchLength(kongPath: string, path: string): number | undefined {
  if (kongPath.startsWith('~')) return new RegExp(`^${kongPath.slice(1)}`).test(path) ? Infinity : undefined;
  return path.startsWith(kongPath) ? kongPath.length : undefined;
}

export function routeGroupOf(method: string, path: string): RouteGroup | undefined {
  let best: { group: RouteGroup; length: number } | undefined;
  for (const group of routeGroups as readonly RouteGroup[]) {
    if (!(group.methods as readonly string[]).includes(method)) continue;
    for (const kongPath of group.paths) {
      const length = matchLength(kongPath, path);
      if (length !== undefined && (!best || length > best.length)) best = { group, length };
    }
  }
  return best?.group;
}
