import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServiceDocuments } from '@bonding/docs/sources';
import { createSigningKeyDir } from '@bonding/testing';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeclarativeConfig } from '../src/declarative/load.js';
import type { GatewayModel } from '../src/declarative/model.js';
import { buildPluginChains, type PluginChains } from '../src/plugins/registry.js';
import { createRouter, type Router } from '../src/router/router.js';
import { renderForTest, repoRoot } from './edge.js';

interface Operation {
  service: string;
  method: string;
  path: string;
  bearer: boolean;
}

let model: GatewayModel;
let router: Router;
let chains: PluginChains;
let operations: Operation[];
beforeAll(async () => {
  const file = renderForTest({ keysDir: createSigningKeyDir().dir, upstreams: {} });
  model = loadDeclarativeConfig(readFileSync(file, 'utf8'));
  router = createRouter(model.routes);
  chains = buildPluginChains(model, new Registry());
  operations = (await loadServiceDocuments()).flatMap(({ service, document }) =>
    Object.entries(
      document.paths as Record<string, Record<string, { security?: Record<string, unknown>[] }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        service,
        method: method.toUpperCase(),
        // A concrete path for each template, as a client would send it.
        path: path.replace(/\{[^}]+\}/g, '01900000-0000-7000-8000-000000000000'),
        // jwt at the edge is right only when every way to call the operation needs a bearer token: an
        // operation that also accepts another credential (the stream's one-time ticket) must not have it.
        bearer:
          (operation.security ?? []).length > 0 &&
          (operation.security ?? []).every((requirement) => 'bearerAuth' in requirement),
      })),
    ),
  );
});

describe('kong/kong.yml and the services agree', () => {
  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it('routes every operation to the service that serves it, with jwt exactly when it declares bearer security', () => {
    const mismatches: string[] = [];
    for (const operation of operations) {
      const match = router.match(operation.method, operation.path);
      const label = `${operation.method} ${operation.path}`;
      if (!match) {
        mismatches.push(`${label}: not routed`);
        continue;
      }
      // A backend may have several Kong services (e.g. notifications-stream, with a longer read timeout):
      // what matters is that the route reaches the backend that serves the operation.
      const backend = model.services.find((service) => service.name === operation.service)?.url.href;
      if (match.route.service.name !== operation.service && match.route.service.url.href !== backend) {
        mismatches.push(`${label}: routed to ${match.route.service.name}, served by ${operation.service}`);
      }
      const hasJwt = chains.forRoute(match.route).some((plugin) => plugin.name === 'jwt');
      if (hasJwt !== operation.bearer) {
        mismatches.push(
          `${label}: route ${match.route.name} ${hasJwt ? 'has' : 'lacks'} jwt, operation ${operation.bearer ? 'needs' : 'does not declare'} a token`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('has no route that no operation uses (for the services with an API document)', () => {
    const documented = new Set(operations.map((o) => o.service));
    const used = new Set(operations.map((o) => router.match(o.method, o.path)?.route.name));
    const unused = model.routes
      .filter((r) => documented.has(r.service.name) && !used.has(r.name))
      .map((r) => r.name);
    expect(unused).toEqual([]);
  });

  it.each(['/internal/events', '/internal/transfers', '/metrics', '/livez', '/readyz'])(
    'routes nothing under %s',
    (path) => {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE'])
        expect(router.match(method, path)).toBeUndefined();
    },
  );

  it('keeps tokens out of query strings and cookies on every jwt route', () => {
    const template = readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8');
    expect(template).not.toMatch(/BEGIN (RSA )?(PUBLIC|PRIVATE) KEY/);
    for (const route of model.routes) {
      const jwtPlugin = model.plugins.find((p) => p.name === 'jwt' && p.routeName === route.name);
      if (!jwtPlugin) continue;
      expect(jwtPlugin.config).toMatchObject({
        uri_param_names: [],
        cookie_names: [],
        key_claim_name: 'kid',
        claims_to_verify: ['exp'],
      });
    }
  });
});
