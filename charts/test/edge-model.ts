// The edge as Kong sees it, built from either source (kong/kong.yml or the chart's KIC objects), so the
// parity test compares like with like.

export type Config = Record<string, unknown>;

export interface PluginInstance {
  /** The plugin's type (jwt, rate-limiting, ...). */
  plugin: string;
  config: Config;
  /** How the source names this instance: kong.yml tags, or the KongPlugin's name without the release prefix. */
  names: string[];
}

export interface EdgeService {
  name: string;
  connectTimeout: number;
  readTimeout: number;
  writeTimeout: number;
  retries: number;
}

export interface EdgeRoute {
  name: string;
  service: string;
  paths: string[];
  methods: string[];
  stripPath: boolean;
  preserveHost: boolean;
  requestBuffering: boolean;
  responseBuffering: boolean;
  /** The plugins that run on this route, by type: its own, else its service's, else the global one. */
  plugins: Record<string, PluginInstance>;
}

export interface EdgeModel {
  services: Record<string, EdgeService>;
  routes: Record<string, EdgeRoute>;
  globalPlugins: Record<string, PluginInstance>;
  consumers: { username?: string; customId?: string }[];
}

/** Kong's entity defaults (KONG-REFERENCE §7, §8). */
export const KONG_SERVICE_DEFAULTS = {
  connectTimeout: 60000,
  readTimeout: 60000,
  writeTimeout: 60000,
  retries: 5,
};

/** Kong runs one instance of a plugin per request; the most specific scope wins (route > service > global). */
export function effectivePlugins(...scopes: PluginInstance[][]): Record<string, PluginInstance> {
  const byType: Record<string, PluginInstance> = {};
  for (const scope of scopes) {
    const seen = new Set<string>();
    for (const instance of scope) {
      if (seen.has(instance.plugin)) {
        throw new Error(`two ${instance.plugin} plugins on one scope: Kong rejects the whole configuration`);
      }
      seen.add(instance.plugin);
      byType[instance.plugin] = instance;
    }
  }
  return byType;
}

const RATE_LIMIT_PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'];

/**
 * A plugin config with what legitimately differs between a local run and the cluster taken out: where
 * rate-limit counters live (policy, redis) and where traces go (their endpoints). For the `local` policy
 * the chart divides each limit among Kong replicas, so kong.yml's limits are divided the same way before
 * comparing (`divisor` = Kong replicas; 1 otherwise).
 */
export function comparableConfig(plugin: string, config: Config, divisor = 1): Config {
  const out: Config = { ...config };
  if (plugin === 'rate-limiting') {
    for (const key of Object.keys(out))
      if (key === 'policy' || key === 'sync_rate' || key.startsWith('redis')) delete out[key];
    for (const period of RATE_LIMIT_PERIODS) {
      if (typeof out[period] === 'number') out[period] = Math.ceil((out[period] as number) / divisor);
    }
  }
  if (plugin === 'opentelemetry') {
    for (const key of ['traces_endpoint', 'logs_endpoint', 'endpoint'])
      if (key in out) out[key] = '<collector>';
  }
  return out;
}
