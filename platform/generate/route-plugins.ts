// The plugins a route group's auth and rate-limit classes give its routes, as data that kong.yml and the
// chart each write in their own form: jwt where the edge must check a token, and a per-address limit of
// the group's own unless it counts per user.
import { rateLimits } from '../shape.js';
import type { RateLimitClass, RouteGroup } from '../shape-types.js';

export type PluginConfig = Record<string, string | number | boolean | readonly string[]>;

export interface RoutePlugin {
  /** The tag that names the instance: kong.yml's tags, the chart's edge.plugins key. */
  tag: string;
  plugin: 'jwt' | 'rate-limiting';
  config: PluginConfig;
}

/** Tokens only from the Authorization header; at most 16 minutes (960 s) of validity accepted. */
const BEARER_CONFIG: PluginConfig = {
  key_claim_name: 'kid',
  claims_to_verify: ['exp'],
  maximum_expiration: 960,
  header_names: ['authorization'],
  uri_param_names: [],
  cookie_names: [],
};

/**
 * The limits that guard credentials fail closed. Kong's rate-limiting is fault tolerant by default: when
 * its counter store (the chart's Redis) cannot be reached it lets every request through, which would lift
 * the limit on password guessing exactly when Redis is down. With `fault_tolerant: false` Kong answers 500
 * instead; the other limits keep the default and favour availability (docs/kubernetes.md, "The edge").
 */
export const FAIL_CLOSED_LIMITS: ReadonlySet<RateLimitClass> = new Set(['sign-in', 'account-security']);

export function routePlugins(group: RouteGroup): RoutePlugin[] {
  const plugins: RoutePlugin[] = [];
  if (group.auth === 'bearer' || group.auth === 'role')
    plugins.push({ tag: 'bearer', plugin: 'jwt', config: BEARER_CONFIG });
  if (group.rateLimit === 'per-user') {
    if (group.auth === 'public' || group.auth === 'ticket')
      throw new Error(`route group ${group.name}: a route without jwt must count per address, not per user`);
  } else {
    // The counting policy is the deployment's (kong.yml: local; the chart: edge.rateLimiting).
    plugins.push({
      tag: `limit-${group.rateLimit}`,
      plugin: 'rate-limiting',
      config: {
        ...rateLimits[group.rateLimit],
        limit_by: 'ip',
        ...(FAIL_CLOSED_LIMITS.has(group.rateLimit) ? { fault_tolerant: false } : {}),
      },
    });
  }
  return plugins;
}
