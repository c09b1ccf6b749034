// What the Kong Ingress Controller (3.x) makes of the chart's rendered objects, as an EdgeModel:
// KONG-REFERENCE §12 — Ingress annotations are route fields, Kubernetes Service annotations are Kong
// service fields, KongPlugins attach through konghq.com/plugins, KongClusterPlugins labelled global are
// global, and Ingress paths map to Kong paths by pathType.
import {
  type Config,
  type EdgeModel,
  type EdgeRoute,
  effectivePlugins,
  KONG_SERVICE_DEFAULTS,
  type PluginInstance,
} from './edge-model.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface IngressPath {
  path?: string;
  pathType?: string;
  backend: { service: { name: string; port: { number?: number; name?: string } } };
}

interface IngressSpec {
  ingressClassName?: string;
  rules?: { host?: string; http?: { paths: IngressPath[] } }[];
}

/** KIC's PathsFromIngressPaths: the Kong paths one Ingress path becomes. */
export function kongPathsFromIngressPath(path: string | undefined, pathType: string | undefined): string[] {
  const value = path || '/';
  switch (pathType ?? 'ImplementationSpecific') {
    case 'Prefix': {
      if (value === '/') return ['/'];
      const base = value.replace(/\/+$/, '');
      return [`${base}/`, `~${base}$`];
    }
    case 'Exact':
      return [`~${value}$`];
    case 'ImplementationSpecific':
      // A raw Kong prefix; `/~` starts a Kong regex.
      return value.startsWith('/~') ? [value.slice(1)] : [value];
    default:
      throw new Error(`unknown pathType ${pathType}`);
  }
}

const annotation = (object: K8sObject, key: string) => object.metadata.annotations?.[`konghq.com/${key}`];

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false')
    throw new Error(`annotation value ${value} is not "true" or "false"`);
  return value === 'true';
}

function number(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`annotation value ${value} is not a whole number`);
  return Number(value);
}

export interface ReleaseNaming {
  /** The release's name prefix of namespaced objects (e.g. "bonding-"), stripped from names. */
  prefix: string;
  /** The prefix of cluster-scoped objects, which also name the namespace (e.g. "bonding-bonding-"). */
  clusterPrefix: string;
  /** What the chart puts before consumer usernames and custom_ids (e.g. "bonding/bonding/"). */
  consumerScope: string;
}

/** How the chart names a release's objects: see bonding.edgeScope in templates/_helpers.tpl. */
export function releaseNaming(release: string, namespace: string): ReleaseNaming {
  return {
    prefix: `${release}-`,
    clusterPrefix: `${namespace}-${release}-`,
    consumerScope: `${namespace}/${release}/`,
  };
}

function strip(value: string, prefix: string, what: string): string {
  if (!value.startsWith(prefix)) throw new Error(`${what} ${value} does not start with ${prefix}`);
  return value.slice(prefix.length);
}

/** `objects`: one helm render of a release named as `naming` says. */
export function readChartEdge(objects: K8sObject[], naming: ReleaseNaming, ingressClass = 'kong'): EdgeModel {
  const unprefixed = (name: string) => strip(name, naming.prefix, 'name');
  const plugin = (object: K8sObject): PluginInstance => ({
    plugin: object.plugin as string,
    config: (object.config as Config | undefined) ?? {},
    names: [
      object.kind === 'KongClusterPlugin'
        ? strip(object.metadata.name, naming.clusterPrefix, 'KongClusterPlugin')
        : unprefixed(object.metadata.name),
    ],
  });
  const namespacedPlugins = new Map(
    objects.filter((object) => object.kind === 'KongPlugin').map((object) => [object.metadata.name, object]),
  );
  const clusterPlugins = objects.filter((object) => object.kind === 'KongClusterPlugin');
  const attached = (object: K8sObject): PluginInstance[] =>
    (annotation(object, 'plugins') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => {
        const found = namespacedPlugins.get(name);
        if (!found)
          throw new Error(
            `${object.kind} ${object.metadata.name} attaches plugin ${name}, which is not rendered`,
          );
        return plugin(found);
      });

  const globalScope = clusterPlugins
    .filter((object) => object.metadata.labels?.global === 'true')
    .filter((object) => object.metadata.annotations?.['kubernetes.io/ingress.class'] === ingressClass)
    .map(plugin);
  const kubernetesServices = new Map(
    objects.filter((object) => object.kind === 'Service').map((object) => [object.metadata.name, object]),
  );

  const model: EdgeModel = {
    services: {},
    routes: {},
    globalPlugins: effectivePlugins(globalScope),
    consumers: objects
      .filter((object) => object.kind === 'KongConsumer')
      .filter((object) => object.metadata.annotations?.['kubernetes.io/ingress.class'] === ingressClass)
      .map((object) => ({
        username: strip(object.username as string, naming.consumerScope, 'consumer username'),
        customId: strip(object.custom_id as string, naming.consumerScope, 'consumer custom_id'),
      })),
  };

  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    const spec = ingress.spec as IngressSpec;
    if (spec.ingressClassName !== ingressClass) continue;
    const paths = (spec.rules ?? []).flatMap((rule) => rule.http?.paths ?? []);
    const backends = new Set(paths.map((path) => path.backend.service.name));
    if (backends.size !== 1)
      throw new Error(`Ingress ${ingress.metadata.name} must have exactly one backend Service`);
    const [backend] = [...backends];
    const service = kubernetesServices.get(backend as string);
    if (!service)
      throw new Error(`Ingress ${ingress.metadata.name} routes to Service ${backend}, which is not rendered`);
    const serviceName = unprefixed(service.metadata.name);
    model.services[serviceName] = {
      name: serviceName,
      connectTimeout: number(annotation(service, 'connect-timeout'), KONG_SERVICE_DEFAULTS.connectTimeout),
      readTimeout: number(annotation(service, 'read-timeout'), KONG_SERVICE_DEFAULTS.readTimeout),
      writeTimeout: number(annotation(service, 'write-timeout'), KONG_SERVICE_DEFAULTS.writeTimeout),
      retries: number(annotation(service, 'retries'), KONG_SERVICE_DEFAULTS.retries),
    };
    const route: EdgeRoute = {
      name: unprefixed(ingress.metadata.name),
      service: serviceName,
      paths: paths.flatMap((path) => kongPathsFromIngressPath(path.path, path.pathType)).sort(),
      // KIC uppercases the list; without the annotation a route matches every method.
      methods: (annotation(ingress, 'methods') ?? '')
        .split(',')
        .map((method) => method.trim().toUpperCase())
        .filter(Boolean)
        .sort(),
      // KIC's route defaults, unlike Kong's: strip_path false, preserve_host true.
      stripPath: flag(annotation(ingress, 'strip-path'), false),
      preserveHost: flag(annotation(ingress, 'preserve-host'), true),
      requestBuffering: flag(annotation(ingress, 'request-buffering'), true),
      responseBuffering: flag(annotation(ingress, 'response-buffering'), true),
      plugins: effectivePlugins(globalScope, attached(service), attached(ingress)),
    };
    model.routes[route.name] = route;
  }
  return model;
}
