// kong/kong.yml (DB-less, _format_version 3.0) as an EdgeModel. Only the shapes the file uses are read;
// anything else fails loudly, so the parity test never passes by not understanding a new construct.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  type Config,
  type EdgeModel,
  type EdgeRoute,
  effectivePlugins,
  KONG_SERVICE_DEFAULTS,
  type PluginInstance,
} from './edge-model.js';

interface KongPlugin {
  name: string;
  config?: Config;
  tags?: string[];
  route?: unknown;
  service?: unknown;
  consumer?: unknown;
}

interface KongRoute {
  name: string;
  paths?: string[];
  methods?: string[];
  hosts?: string[];
  headers?: unknown;
  strip_path?: boolean;
  preserve_host?: boolean;
  request_buffering?: boolean;
  response_buffering?: boolean;
  plugins?: KongPlugin[];
}

interface KongService {
  name: string;
  connect_timeout?: number;
  read_timeout?: number;
  write_timeout?: number;
  retries?: number;
  routes?: KongRoute[];
  plugins?: KongPlugin[];
}

interface KongFile {
  services?: KongService[];
  routes?: unknown[];
  plugins?: KongPlugin[];
  consumers?: { username?: string; custom_id?: string; plugins?: unknown[] }[];
}

function instances(plugins: KongPlugin[] | undefined, where: string): PluginInstance[] {
  return (plugins ?? []).map((plugin) => {
    if (plugin.route || plugin.service || plugin.consumer) {
      throw new Error(
        `${where}: plugin ${plugin.name} is scoped by reference; the parity test reads nested plugins only`,
      );
    }
    return { plugin: plugin.name, config: plugin.config ?? {}, names: plugin.tags ?? [] };
  });
}

export function readKongConfig(file: string): EdgeModel {
  const kong = parse(readFileSync(file, 'utf8')) as KongFile;
  if (kong.routes?.length)
    throw new Error('top-level routes are not supported by the parity test: nest them in services');
  const globalScope = instances(kong.plugins, 'top level');
  const model: EdgeModel = {
    services: {},
    routes: {},
    globalPlugins: effectivePlugins(globalScope),
    consumers: (kong.consumers ?? []).map((consumer) => {
      if (consumer.plugins?.length) throw new Error('consumer plugins are not supported by the parity test');
      return { username: consumer.username, customId: consumer.custom_id };
    }),
  };
  for (const service of kong.services ?? []) {
    model.services[service.name] = {
      name: service.name,
      connectTimeout: service.connect_timeout ?? KONG_SERVICE_DEFAULTS.connectTimeout,
      readTimeout: service.read_timeout ?? KONG_SERVICE_DEFAULTS.readTimeout,
      writeTimeout: service.write_timeout ?? KONG_SERVICE_DEFAULTS.writeTimeout,
      retries: service.retries ?? KONG_SERVICE_DEFAULTS.retries,
    };
    const serviceScope = instances(service.plugins, `service ${service.name}`);
    for (const route of service.routes ?? []) {
      if (route.hosts?.length || route.headers) {
        throw new Error(`route ${route.name}: hosts/headers matching is not mirrored by the chart yet`);
      }
      const edgeRoute: EdgeRoute = {
        name: route.name,
        service: service.name,
        paths: [...(route.paths ?? [])].sort(),
        methods: (route.methods ?? []).map((method) => method.toUpperCase()).sort(),
        // Kong's route defaults (KONG-REFERENCE §7).
        stripPath: route.strip_path ?? true,
        preserveHost: route.preserve_host ?? false,
        requestBuffering: route.request_buffering ?? true,
        responseBuffering: route.response_buffering ?? true,
        plugins: effectivePlugins(globalScope, serviceScope, instances(route.plugins, `route ${route.name}`)),
      };
      model.routes[route.name] = edgeRoute;
    }
  }
  return model;
}
