// Writes charts/bonding/platform-shape.yaml: each service's port, edge routes (Ingresses and their
// plugins) and event subscriptions (its EVENT_SUBSCRIPTIONS), as the chart's `services.<name>` settings. The chart's
// bonding.service helper merges it between serviceDefaults and values.yaml's `services.<name>`, so an
// operator's values still win, and values.yaml holds only what an operator tunes.
import { extraKongServices, routeGroups, services, subscriptions } from '../shape.js';
import type { EventSubscription, RouteGroup } from '../shape-types.js';
import { KONG_SERVICE_DEFAULTS, routeMethods } from './kong-yml.js';
import { byCodeUnit } from './order.js';
import { type RoutePlugin, routePlugins } from './route-plugins.js';
import { subscriptionText } from './subscription-text.js';
import { GENERATED_NOTE, yamlComment, yamlFlowList, yamlFlowMap, yamlScalar } from './yaml-text.js';

function renderRoute(group: RouteGroup): string[] {
  const extra = group.kongService
    ? Object.entries(extraKongServices).find(([name]) => name === group.kongService)?.[1].key
    : undefined;
  if (group.kongService && !extra) throw new Error(`route group ${group.name}: unknown kongService`);
  return [
    `        - name: ${group.name}`,
    `          paths: ${yamlFlowList(group.paths)}`,
    `          methods: ${yamlFlowList(routeMethods(group))}`,
    `          plugins: ${yamlFlowList(routePlugins(group).map((plugin) => plugin.tag))}`,
    ...(extra ? [`          kongService: ${extra}`] : []),
    ...(group.responseBuffering === false ? ['          responseBuffering: false'] : []),
  ];
}

/** What the service itself consumes (its EVENT_SUBSCRIPTIONS): its entry in platform/shape.ts' subscriptions. */
function renderSubscriptions(name: string): string[] {
  const own = (subscriptions as Record<string, readonly EventSubscription[]>)[name] ?? [];
  return own.length > 0 ? [`    subscriptions: ${yamlFlowList(own.map(subscriptionText))}`] : [];
}

function renderService(service: (typeof services)[number]): string {
  const groups = (routeGroups as readonly RouteGroup[]).filter((group) => group.service === service.name);
  const extras = Object.values(extraKongServices).filter((extra) => extra.service === service.name);
  const lines = [`  ${service.name}:`, `    port: ${service.port}`];
  lines.push(...renderSubscriptions(service.name));
  if (groups.length > 0) {
    lines.push('    edge:');
    if (extras.length > 0) {
      lines.push('      extraServices:');
      for (const extra of extras) {
        const timeouts = { ...KONG_SERVICE_DEFAULTS, readTimeout: extra.readTimeout };
        lines.push(
          `        ${extra.key}:`,
          `          connectTimeout: ${timeouts.connectTimeout}`,
          `          readTimeout: ${timeouts.readTimeout}`,
          `          writeTimeout: ${timeouts.writeTimeout}`,
          `          retries: ${timeouts.retries}`,
        );
      }
    }
    lines.push('      routes:', ...groups.flatMap(renderRoute));
  }
  return lines.join('\n');
}

/** Every route plugin the groups use, keyed by tag: the chart's edge.plugins beneath values.yaml's. */
function renderEdgePlugins(): string {
  const byTag = new Map<string, RoutePlugin>();
  for (const group of routeGroups as readonly RouteGroup[])
    for (const plugin of routePlugins(group)) byTag.set(plugin.tag, plugin);
  const lines = ['edge:', '  plugins:'];
  for (const tag of [...byTag.keys()].sort(byCodeUnit)) {
    const plugin = byTag.get(tag) as RoutePlugin;
    lines.push(`    ${tag}:`, `      plugin: ${plugin.plugin}`);
    if (plugin.plugin === 'rate-limiting')
      lines.push(`      config: ${yamlFlowMap(plugin.config as Record<string, number | string | boolean>)}`);
    else {
      lines.push('      config:');
      for (const [key, value] of Object.entries(plugin.config))
        lines.push(
          `        ${key}: ${Array.isArray(value) ? yamlFlowList(value) : yamlScalar(value as string | number)}`,
        );
    }
  }
  return lines.join('\n');
}

export function renderChartShape(): string {
  const header = yamlComment(
    `${GENERATED_NOTE}\nEach service's port, edge routes and event subscriptions, read by templates/_services.tpl\n(bonding.service) between serviceDefaults and values.yaml's services.<name>, which win; and the route\nplugins, read by bonding.edge beneath values.yaml's edge.plugins, which win.`,
    '',
  );
  return `${header}services:\n${services.map(renderService).join('\n')}\n${renderEdgePlugins()}\n`;
}
