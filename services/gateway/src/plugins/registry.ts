import type { TokenDenylist } from '@bonding/kit';
import type { Registry } from 'prom-client';
import type { PluginHandler } from '../context.js';
import type { GatewayModel, PluginInstance, Route } from '../declarative/model.js';
import { correlationId } from './correlation-id.js';
import { cors } from './cors.js';
import { jwt } from './jwt.js';
import { opentelemetry } from './opentelemetry.js';
import { createEdgeMetrics, prometheus } from './prometheus.js';
import { rateLimiting } from './rate-limiting.js';
import { requestSizeLimiting } from './request-size-limiting.js';
import { PLUGIN_PRIORITY, type PluginName } from './schemas.js';

export interface PluginChains {
  /** Plugins for a route, most specific instance per name, in priority order. */
  forRoute(route: Route): PluginHandler[];
  /** Global plugins, for requests no route matched. */
  global: PluginHandler[];
}

/** `denylist`: tokens the jwt plugin refuses although they verify (disabled users, ended sessions). */
export function buildPluginChains(
  model: GatewayModel,
  registry: Registry,
  now: () => number = Date.now,
  denylist?: TokenDenylist,
): PluginChains {
  const edgeMetrics = createEdgeMetrics(registry);
  const handlers = new Map<PluginInstance, PluginHandler>();
  const handlerFor = (instance: PluginInstance): PluginHandler => {
    let handler = handlers.get(instance);
    if (handler) return handler;
    const name = instance.name as PluginName;
    const priority = PLUGIN_PRIORITY[name];
    const config = instance.config as never;
    switch (name) {
      case 'correlation-id':
        handler = correlationId(config, priority);
        break;
      case 'cors':
        handler = cors(config, priority);
        break;
      case 'jwt':
        handler = jwt(config, priority, model.credentials, now, denylist);
        break;
      case 'rate-limiting':
        handler = rateLimiting(config, priority, instance.id, now);
        break;
      case 'request-size-limiting':
        handler = requestSizeLimiting(config, priority);
        break;
      case 'prometheus':
        handler = prometheus(config, priority, edgeMetrics);
        break;
      case 'opentelemetry':
        handler = opentelemetry(config, priority);
        break;
    }
    handlers.set(instance, handler);
    return handler;
  };

  const byPriority = (a: PluginHandler, b: PluginHandler) => b.priority - a.priority;
  const global = model.plugins
    .filter((p) => p.scope === 'global')
    .map(handlerFor)
    .sort(byPriority);
  const chains = new Map<Route, PluginHandler[]>();
  for (const route of model.routes) {
    const chosen = new Map<string, PluginInstance>();
    // Most specific first: route, then service, then global (one instance per plugin name).
    for (const instance of model.plugins) {
      const applies =
        (instance.scope === 'route' && instance.routeName === route.name) ||
        (instance.scope === 'service' && instance.serviceName === route.service.name) ||
        instance.scope === 'global';
      if (!applies) continue;
      const current = chosen.get(instance.name);
      const rank = { route: 3, service: 2, global: 1 };
      if (!current || rank[instance.scope] > rank[current.scope]) chosen.set(instance.name, instance);
    }
    chains.set(route, [...chosen.values()].map(handlerFor).sort(byPriority));
  }
  return { global, forRoute: (route) => chains.get(route) ?? global };
}
