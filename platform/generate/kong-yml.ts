// Writes kong/kong.yml (Kong 3.9 DB-less) from the declared route groups: one Kong service per backend
// (plus the extra ones for other timeouts), each group one route whose plugins follow from its auth and
// rate-limit classes. The edge-wide parts (consumer, global plugins) are fixed text below.
import { extraKongServices, routeGroups, services } from '../shape.js';
import type { RouteGroup } from '../shape-types.js';
import { type RoutePlugin, routePlugins } from './route-plugins.js';
import { GENERATED_NOTE, yamlComment, yamlFlowList, yamlFlowMap, yamlScalar } from './yaml-text.js';

/** Timeouts and retries of every Kong service unless extraKongServices says otherwise. */
export const KONG_SERVICE_DEFAULTS = {
  connectTimeout: 2000,
  writeTimeout: 15000,
  readTimeout: 15000,
  retries: 2,
};

/** A plugin's config as kong.yml writes it: a flow map for rate limits, one key a line otherwise. */
function configLines(plugin: RoutePlugin): string[] {
  if (plugin.plugin === 'rate-limiting')
    return [
      yamlFlowMap({ ...(plugin.config as Record<string, number | string | boolean>), policy: 'local' }),
    ];
  return Object.entries(plugin.config).map(
    ([key, value]) =>
      `${key}: ${Array.isArray(value) ? yamlFlowList(value) : yamlScalar(value as string | number)}`,
  );
}

export const routeMethods = (group: RouteGroup) =>
  group.preflight === false ? [...group.methods] : [...group.methods, 'OPTIONS'];

function renderRoute(group: RouteGroup): string {
  const lines = [`      - name: ${group.name}`];
  const comment = yamlComment(group.why, '        ');
  if (comment) lines.push(comment.trimEnd());
  lines.push(
    group.paths.length === 1
      ? `        paths: ${yamlFlowList(group.paths)}`
      : ['        paths:', ...group.paths.map((path) => `          - ${yamlScalar(path)}`)].join('\n'),
  );
  lines.push(`        methods: ${yamlFlowList(routeMethods(group))}`, '        strip_path: false');
  if (group.responseBuffering === false) lines.push('        response_buffering: false');
  const plugins = routePlugins(group);
  if (plugins.length > 0) {
    lines.push('        plugins:');
    for (const plugin of plugins) {
      lines.push(`          - name: ${plugin.plugin}`, `            tags: [${plugin.tag}]`);
      const config = configLines(plugin);
      if (config.length === 1) lines.push(`            config: ${config[0]}`);
      else lines.push('            config:', ...config.map((line) => `              ${line}`));
    }
  }
  return lines.join('\n');
}

function renderKongService(
  name: string,
  port: number,
  groups: readonly RouteGroup[],
  timeouts: typeof KONG_SERVICE_DEFAULTS,
  why?: string,
): string {
  return [
    `  - name: ${name}`,
    yamlComment(why, '    ').trimEnd(),
    `    url: http://127.0.0.1:${port}`,
    `    connect_timeout: ${timeouts.connectTimeout}`,
    `    write_timeout: ${timeouts.writeTimeout}`,
    `    read_timeout: ${timeouts.readTimeout}`,
    `    retries: ${timeouts.retries}`,
    '    routes:',
    ...groups.map(renderRoute),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function kongServices(): string[] {
  const groups: readonly RouteGroup[] = routeGroups;
  const blocks: string[] = [];
  for (const service of services) {
    const own = groups.filter((group) => group.service === service.name && !group.kongService);
    if (own.length > 0)
      blocks.push(renderKongService(service.name, service.port, own, KONG_SERVICE_DEFAULTS));
    for (const [name, extra] of Object.entries(extraKongServices)) {
      if (extra.service !== service.name) continue;
      const routed = groups.filter((group) => group.kongService === name);
      const timeouts = { ...KONG_SERVICE_DEFAULTS, readTimeout: extra.readTimeout };
      blocks.push(renderKongService(name, service.port, routed, timeouts, extra.why));
    }
  }
  return blocks;
}

const HEADER = `# ${GENERATED_NOTE}
# The edge of the Bonding Platform: routes and plugins for Kong (OSS 3.9, DB-less).
#
# This file holds no key material. \`node --import tsx kong/render.ts\` (run by \`npm start\`) adds the
# identity issuer's public key(s) as jwt credentials and writes .local/kong/kong.yml, the file that
# real Kong and the local gateway (services/gateway) load. See kong/README.md.
#
# Services serve full /api/v1/... paths, so nothing is stripped or rewritten. Nothing under
# /internal, /metrics, /livez or /readyz is routed. Every route lists OPTIONS so CORS preflights
# reach the cors plugin instead of the router's 404 (except where a route of the same path has it).
#
# Rate limits (docs/design.md §3): signed-in traffic counts per user, anything else per client address.
# The global limit-per-user keys on the Authorization header, which only a route's jwt plugin (it runs
# first) makes trustworthy; so every route without jwt carries its own per-address limit that replaces
# it (limit-per-address, or a stricter one), and services/gateway/test/rate-limit-keys.test.ts fails a
# route that has neither.
_format_version: "3.0"
`;

const EDGE_WIDE = `consumers:
  # Every access token is issued by identity; one credential per signing key (kid) is added at render.
  - username: bonding-identity
    custom_id: identity-issuer

plugins:
  # Runs first (priority 100001): every request, even one refused at the edge, gets an id.
  - name: correlation-id
    config: { header_name: X-Request-ID, generator: uuid, echo_downstream: true }
  - name: cors
    config:
      origins: ["*"]
      methods: [GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS]
      # Last-Event-ID: a stream client resuming across origins (EventSource sends it on reconnect).
      headers: [Accept, Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, Last-Event-ID, X-Request-ID]
      exposed_headers: [ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-ID]
      max_age: 600
      credentials: false
  - name: request-size-limiting
    config: { allowed_payload_size: 1, size_unit: megabytes }
  # Per user on every route with jwt: the key is the bearer token, which jwt (priority 1450) has verified
  # before rate-limiting (910) counts it, so a forged token is refused, never counted. A token stands for
  # one session of one user (15 minutes; its refresh gets a new key); consumers cannot separate users,
  # since every token maps to the issuer's one consumer (docs/design.md §3).
  - name: rate-limiting
    tags: [limit-per-user]
    config: { second: 20, minute: 600, limit_by: header, header_name: Authorization, policy: local }
  - name: prometheus
    config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true }
  - name: opentelemetry
    # Edge spans join the services' traces through W3C traceparent. sampling_rate overrides kong.conf's
    # tracing_sampling_rate (default 0.01) and matches the services' parent-based ratio (0.1), so a
    # request the edge samples is sampled all the way down, and one it drops is dropped everywhere.
    config:
      traces_endpoint: http://127.0.0.1:4318/v1/traces
      resource_attributes: { service.name: kong }
      sampling_rate: 0.1
      propagation: { default_format: w3c }
`;

export function renderKongYml(): string {
  return `${HEADER}\nservices:\n${kongServices().join('\n\n')}\n\n${EDGE_WIDE}`;
}
