// kong/kong.yml and the chart's routes are both generated from platform/shape.ts, but the chart reaches
// Kong through Kong Ingress Controller objects and its own templates. This proves, route by route and in both directions, that what KIC would build from the chart
// is what kong.yml declares: paths (after KIC's path mapping), methods, service, strip/preserve/buffering
// flags, the plugins that run (jwt exactly where kong.yml has it), their configs, and service timeouts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { comparableConfig, type EdgeModel } from './edge-model.js';
import { chartDir, findHelm, RELEASE, renderChart, repoRoot } from './helm.js';
import { kongPathsFromIngressPath, readChartEdge, releaseNaming } from './kic.js';
import { readKongConfig } from './kong-config.js';

const helm = findHelm();
const kong = readKongConfig(join(repoRoot, 'kong', 'kong.yml'));

/** The value sets whose services are exactly kong.yml's (all-services-values enables planned ones). */
const VALUE_SETS = [undefined, 'production-values.yaml'];

/** With the `local` policy the chart divides rate limits among Kong replicas; with `redis` it does not. */
function rateLimitDivisor(valuesFile?: string): number {
  const read = (file: string) =>
    (parse(readFileSync(file, 'utf8')) ?? {}) as { edge?: { rateLimiting?: object } };
  const limits = {
    ...read(join(chartDir, 'values.yaml')).edge?.rateLimiting,
    ...(valuesFile ? read(join(chartDir, 'ci', valuesFile)).edge?.rateLimiting : {}),
  } as { policy: string; kongReplicas: number };
  return limits.policy === 'local' ? limits.kongReplicas : 1;
}

const sorted = (items: Iterable<string>) => [...items].sort();

function routeShape(model: EdgeModel, name: string) {
  const { plugins, ...route } = model.routes[name] as EdgeModel['routes'][string];
  return { ...route, plugins: sorted(Object.keys(plugins)) };
}

describe('KIC path mapping (KONG-REFERENCE §12)', () => {
  it('maps each pathType as the controller does', () => {
    expect(kongPathsFromIngressPath('/api', 'Prefix')).toEqual(['/api/', '~/api$']);
    expect(kongPathsFromIngressPath('/', 'Prefix')).toEqual(['/']);
    expect(kongPathsFromIngressPath('/api', 'Exact')).toEqual(['~/api$']);
    expect(kongPathsFromIngressPath('/api', 'ImplementationSpecific')).toEqual(['/api']);
    expect(kongPathsFromIngressPath('/~/openapi\\.json$', undefined)).toEqual(['~/openapi\\.json$']);
    expect(kongPathsFromIngressPath('', undefined)).toEqual(['/']);
  });
});

const suiteTitle = helm
  ? 'kong/kong.yml ↔ charts/bonding parity'
  : 'kong/kong.yml ↔ charts/bonding parity — SKIPPED: helm is not installed (npm test installs it into .tools/k8s/bin; or set HELM)';

describe.skipIf(!helm)(suiteTitle, () => {
  for (const valuesFile of VALUE_SETS) {
    describe(`values: ${valuesFile ?? 'defaults'}`, () => {
      const chart = readChartEdge(renderChart(helm as string, valuesFile), releaseNaming(RELEASE, RELEASE));
      const divisor = rateLimitDivisor(valuesFile);

      it('has an Ingress for every kong.yml route and no other', () => {
        expect(sorted(Object.keys(chart.routes))).toEqual(sorted(Object.keys(kong.routes)));
      });

      it('routes the same paths and methods to the same service, with the same route flags', () => {
        for (const name of Object.keys(kong.routes)) {
          expect(routeShape(chart, name), `route ${name}`).toEqual(routeShape(kong, name));
        }
      });

      it('requires a token (jwt) on exactly the routes kong.yml protects, with the same settings', () => {
        const protectedRoutes = (model: EdgeModel) =>
          sorted(Object.values(model.routes).flatMap((route) => (route.plugins.jwt ? [route.name] : [])));
        expect(protectedRoutes(chart)).toEqual(protectedRoutes(kong));
        for (const name of protectedRoutes(kong)) {
          expect(chart.routes[name]?.plugins.jwt?.config, `jwt on ${name}`).toEqual(
            kong.routes[name]?.plugins.jwt?.config,
          );
        }
      });

      it('runs every plugin with kong.yml’s configuration on every route', () => {
        for (const [name, route] of Object.entries(kong.routes)) {
          for (const [type, expected] of Object.entries(route.plugins)) {
            const actual = chart.routes[name]?.plugins[type];
            expect(actual, `${type} on ${name}`).toBeDefined();
            expect(comparableConfig(type, actual?.config ?? {}), `${type} on ${name}`).toEqual(
              comparableConfig(type, expected.config, divisor),
            );
          }
        }
      });

      it('names each plugin instance after its kong.yml tag (or plugin name), keeping overrides addressable', () => {
        for (const [name, route] of Object.entries(kong.routes)) {
          for (const [type, expected] of Object.entries(route.plugins)) {
            const wanted = expected.names.length ? expected.names : [type];
            expect(wanted, `${type} on ${name}`).toContain(chart.routes[name]?.plugins[type]?.names[0]);
          }
        }
      });

      it('has the same global plugins', () => {
        expect(sorted(Object.keys(chart.globalPlugins))).toEqual(sorted(Object.keys(kong.globalPlugins)));
      });

      it('gives every Kong service kong.yml’s timeouts and retries (as Service annotations)', () => {
        expect(chart.services).toEqual(
          Object.fromEntries(Object.keys(chart.services).map((name) => [name, kong.services[name]])),
        );
        const routed = new Set(Object.values(kong.routes).map((route) => route.service));
        expect(sorted(Object.keys(chart.services))).toEqual(sorted(routed));
      });

      it('declares kong.yml’s consumers', () => {
        expect(chart.consumers).toEqual(kong.consumers);
      });
    });
  }
});
