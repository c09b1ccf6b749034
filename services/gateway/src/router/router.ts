import type { Route } from '../declarative/model.js';

export interface RouteMatch {
  route: Route;
  /** The part of the path the route's path matched (stripped when strip_path is on). */
  matched: string;
}

/**
 * Kong's traditional router precedence (KONG-REFERENCE §7): more match fields
 * first; then regex paths before prefixes, by regex_priority; then longer
 * prefixes; then declaration order. Methods take part in matching, so a path
 * that exists with another method is still "no route".
 */
export function createRouter(routes: Route[]) {
  const candidates = routes.flatMap((route) => route.paths.map((path) => ({ route, path })));
  const fieldCount = (route: Route) => 1 + (route.methods ? 1 : 0);
  candidates.sort((a, b) => {
    const byFields = fieldCount(b.route) - fieldCount(a.route);
    if (byFields !== 0) return byFields;
    const aRegex = a.path.regex ? 1 : 0;
    const bRegex = b.path.regex ? 1 : 0;
    if (aRegex !== bRegex) return bRegex - aRegex;
    if (aRegex && bRegex && a.route.regexPriority !== b.route.regexPriority)
      return b.route.regexPriority - a.route.regexPriority;
    const byLength = b.path.prefixLength - a.path.prefixLength;
    if (byLength !== 0) return byLength;
    return a.route.order - b.route.order;
  });

  return {
    match(method: string, path: string): RouteMatch | undefined {
      for (const { route, path: matcher } of candidates) {
        if (route.methods && !route.methods.has(method)) continue;
        const matched = matcher.match(path);
        if (matched !== undefined) return { route, matched };
      }
      return undefined;
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
