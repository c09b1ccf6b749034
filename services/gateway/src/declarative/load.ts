import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { type PluginName, pluginConfigSchemas } from '../plugins/schemas.js';
import type {
  Consumer,
  Credential,
  GatewayModel,
  PathMatcher,
  PluginInstance,
  Route,
  Service,
} from './model.js';
import { type DeclarativeConfig, declarativeConfigSchema, type PluginEntry } from './schema.js';

export class GatewayConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the gateway cannot run this configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Stable UUID-shaped ids, so X-Consumer-ID and metric labels do not change between restarts. */
function stableId(kind: string, name: string): string {
  const hex = createHash('sha1').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    const detail =
      issue.code === 'unrecognized_keys' ? `not supported: ${issue.keys.join(', ')}` : issue.message;
    return `${path || '(top level)'}: ${detail}`;
  });
}

function pathMatcher(source: string): PathMatcher {
  if (source.startsWith('~')) {
    const regex = new RegExp(`^(?:${source.slice(1)})`);
    return { source, regex, prefixLength: 0, match: (path) => regex.exec(path)?.[0] };
  }
  return {
    source,
    regex: undefined,
    prefixLength: source.length,
    match: (path) => (path.startsWith(source) ? source : undefined),
  };
}

export function buildModel(config: DeclarativeConfig): GatewayModel {
  const problems: string[] = [];
  const plugins: PluginInstance[] = [];

  function addPlugins(
    entries: PluginEntry[],
    where: string,
    scope: PluginInstance['scope'],
    serviceName?: string,
    routeName?: string,
  ) {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      const at = `${where}plugins[${index}]`;
      if (seen.has(entry.name)) problems.push(`${at}: ${entry.name} is configured twice at the same scope`);
      seen.add(entry.name);
      const parsed = pluginConfigSchemas[entry.name as PluginName].safeParse(entry.config);
      if (!parsed.success) {
        problems.push(...describe(parsed.error.issues, `${at}.config`));
        return;
      }
      if (!entry.enabled) return;
      plugins.push({
        id: stableId('plugin', `${scope}:${serviceName ?? ''}:${routeName ?? ''}:${entry.name}`),
        name: entry.name,
        scope,
        serviceName,
        routeName,
        config: parsed.data,
      });
    });
  }

  const services: Service[] = [];
  const routes: Route[] = [];
  const serviceNames = new Set<string>();
  const routeNames = new Set<string>();
  const routeShapes = new Map<string, string>();
  config.services.forEach((entry, s) => {
    if (serviceNames.has(entry.name)) problems.push(`services[${s}]: duplicate service name ${entry.name}`);
    serviceNames.add(entry.name);
    const service: Service = {
      id: stableId('service', entry.name),
      name: entry.name,
      url: new URL(entry.url),
      connectTimeoutMs: entry.connect_timeout,
      writeTimeoutMs: entry.write_timeout,
      readTimeoutMs: entry.read_timeout,
      retries: entry.retries,
    };
    services.push(service);
    addPlugins(entry.plugins, `services[${s}].`, 'service', entry.name);
    entry.routes.forEach((routeEntry, r) => {
      const at = `services[${s}].routes[${r}]`;
      if (routeNames.has(routeEntry.name)) problems.push(`${at}: duplicate route name ${routeEntry.name}`);
      routeNames.add(routeEntry.name);
      const methods = routeEntry.methods ? [...routeEntry.methods].sort().join(',') : '*';
      for (const path of routeEntry.paths) {
        const shape = `${methods} ${path}`;
        const other = routeShapes.get(shape);
        if (other) problems.push(`${at}: ${shape} is already matched by route ${other}`);
        routeShapes.set(shape, routeEntry.name);
      }
      let paths: PathMatcher[] = [];
      try {
        paths = routeEntry.paths.map(pathMatcher);
      } catch (error) {
        problems.push(`${at}.paths: ${(error as Error).message}`);
      }
      routes.push({
        id: stableId('route', routeEntry.name),
        name: routeEntry.name,
        service,
        paths,
        methods: routeEntry.methods ? new Set(routeEntry.methods) : undefined,
        stripPath: routeEntry.strip_path,
        preserveHost: routeEntry.preserve_host,
        regexPriority: routeEntry.regex_priority,
        responseBuffering: routeEntry.response_buffering,
        order: routes.length,
      });
      addPlugins(routeEntry.plugins, `${at}.`, 'route', entry.name, routeEntry.name);
    });
  });
  addPlugins(config.plugins, '', 'global');

  const credentials = new Map<string, Credential>();
  config.consumers.forEach((entry, c) => {
    const consumer: Consumer = {
      id: stableId('consumer', entry.username ?? entry.custom_id ?? String(c)),
      username: entry.username,
      customId: entry.custom_id,
    };
    entry.jwt_secrets.forEach((secret, j) => {
      const at = `consumers[${c}].jwt_secrets[${j}]`;
      if (credentials.has(secret.key)) problems.push(`${at}: duplicate jwt credential key ${secret.key}`);
      try {
        credentials.set(secret.key, {
          id: stableId('jwt_secret', secret.key),
          key: secret.key,
          algorithm: secret.algorithm,
          publicKey: createPublicKey(secret.rsa_public_key),
          consumer,
        });
      } catch (error) {
        problems.push(`${at}.rsa_public_key: ${(error as Error).message}`);
      }
    });
  });

  if (problems.length > 0) throw new GatewayConfigError(problems);
  return { services, routes, plugins, credentials };
}

/** Parses and validates a rendered kong.yml; anything it does not implement is refused, never ignored. */
export function loadDeclarativeConfig(text: string): GatewayModel {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new GatewayConfigError([`not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = declarativeConfigSchema.safeParse(document);
  if (!parsed.success) throw new GatewayConfigError(describe(parsed.error.issues, ''));
  return buildModel(parsed.data);
}

export function loadDeclarativeConfigFile(path: string): GatewayModel {
  return loadDeclarativeConfig(readFileSync(path, 'utf8'));
}
