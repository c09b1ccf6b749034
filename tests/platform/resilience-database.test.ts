import { join } from 'node:path';
import {
  createApiClient,
  createSigningKeyDir,
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../services/gateway/test/edge.js';
import { productBody } from './journeys.js';
import { type PrivateMysql, privateMysqlAvailable, startPrivateMysql } from './private-mysql.js';

/**
 * The database server itself stopped and started under running services (identity and catalog as
 * real processes, on a MariaDB server of this file's own, so other test files are not disturbed):
 * readiness turns red, requests fail fast with 503 problem+json, liveness stays green (an
 * orchestrator must not restart them for it), and when the server is back everything works again
 * without restarting a service. The in-process version with a cut TCP proxy is
 * packages/kit/test/database-down.test.ts.
 */
const ADMIN = { email: 'db.outage.admin@bonding.test', password: 'db-outage-admin-password' };

let mysql: PrivateMysql;
const services: Partial<Record<'identity' | 'catalog', ServiceProcess>> = {};
beforeAll(async () => {
  if (!privateMysqlAvailable) return;
  mysql = await startPrivateMysql();
  const keys = createSigningKeyDir();
  const identityPort = await freePort();
  services.identity = await startServiceProcess({
    cwd: join(repoRoot, 'services', 'identity'),
    port: identityPort,
    env: {
      MYSQL_URL: await mysql.createDatabase('identity'),
      MIGRATE_ON_START: 'true',
      JWT_KEYS_DIR: keys.dir,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    },
    timeoutMs: 60_000,
  });
  services.catalog = await startServiceProcess({
    cwd: join(repoRoot, 'services', 'catalog'),
    port: await freePort(),
    env: {
      MYSQL_URL: await mysql.createDatabase('catalog'),
      MIGRATE_ON_START: 'true',
      JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
    },
    timeoutMs: 60_000,
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(services).map((service) => service?.stop('SIGKILL')));
  await mysql?.remove();
});

const call = (name: 'identity' | 'catalog') =>
  createApiClient((path, init) => fetch(`${(services[name] as ServiceProcess).baseUrl}${path}`, init));

const login = () => call('identity')('POST', '/api/v1/auth/login', { body: ADMIN });

describe.skipIf(!privateMysqlAvailable)(
  'a database server stopped and started under running services',
  () => {
    it('turns /readyz red and requests into fast 503s, and recovers without a restart', async () => {
      const signedIn = await login();
      expect(signedIn.status, signedIn.text).toBe(200);
      const token = signedIn.json.accessToken as string;
      const before = await call('catalog')('POST', '/api/v1/products', { token, body: productBody('DB') });
      expect(before.status, before.text).toBe(201);
      const pids = Object.values(services).map((service) => service?.child.pid);

      await mysql.stop('SIGTERM');
      for (const name of ['identity', 'catalog'] as const) {
        const ready = await call(name)('GET', '/readyz');
        expect(ready.status, `${name} /readyz`).toBe(503);
        expect(ready.json.checks.database, name).not.toBe('ok');
        // Not a reason to restart the process: it is alive and will recover by itself.
        expect((await call(name)('GET', '/livez')).status, `${name} /livez`).toBe(200);
      }
      const timed = async (request: Promise<Awaited<ReturnType<typeof login>>>) => {
        const started = performance.now();
        return { ...(await request), ms: performance.now() - started };
      };
      const refusals = [
        await timed(call('catalog')('GET', '/api/v1/products')),
        await timed(call('catalog')('POST', '/api/v1/products', { token, body: productBody('DB') })),
        await timed(login()),
      ];
      for (const refused of refusals) {
        // Not a latency measurement: a bound far above the 2 s connect timeout, to tell "failed" from "hung".
        expect(refused.ms).toBeLessThan(15_000);
        expect(refused.status, refused.text).toBe(503);
        expect(refused.headers.get('content-type')).toBe('application/problem+json');
        expect(refused.json.code).toBe('database_unavailable');
        expect(refused.headers.get('retry-after')).toBeTruthy();
      }

      await mysql.start();
      for (const name of ['identity', 'catalog'] as const) {
        await expect
          .poll(async () => (await call(name)('GET', '/readyz')).status, { timeout: 30_000, interval: 200 })
          .toBe(200);
      }
      const again = await login();
      expect(again.status, again.text).toBe(200);
      const created = await call('catalog')('POST', '/api/v1/products', {
        token: again.json.accessToken,
        body: productBody('DB'),
      });
      expect(created.status, created.text).toBe(201);
      const listed = await call('catalog')('GET', `/api/v1/products?limit=100`);
      expect(listed.status).toBe(200);
      expect(listed.json.items.map((p: { id: string }) => p.id)).toEqual(
        expect.arrayContaining([before.json.id, created.json.id]),
      );
      // The same processes all along.
      expect(Object.values(services).map((service) => service?.child.pid)).toEqual(pids);
      for (const service of Object.values(services)) expect(service?.child.exitCode).toBeNull();
    });

    it('starts a service whose database server is still down, and it migrates once the server is up', async () => {
      const databaseUrl = await mysql.createDatabase('catalog_late');
      await mysql.stop('SIGTERM');
      const port = await freePort();
      let startOutput = '';
      // Not awaited: it is ready only after the database is back.
      const starting = startServiceProcess({
        cwd: join(repoRoot, 'services', 'catalog'),
        port,
        env: {
          MYSQL_URL: databaseUrl,
          MIGRATE_ON_START: 'true',
          JWKS_URL: `${(services.identity as ServiceProcess).baseUrl}/.well-known/jwks.json`,
          LOG_LEVEL: 'warn',
        },
        timeoutMs: 120_000,
        onOutput: (chunk) => {
          startOutput += chunk;
        },
      });
      let late: ServiceProcess | undefined;
      try {
        // It tried, found the server down and waits (rather than exiting at the first refused connection).
        await expect
          .poll(() => startOutput.split('database not reachable yet; retrying the start').length - 1, {
            timeout: 60_000,
            interval: 200,
          })
          .toBeGreaterThanOrEqual(2);
        expect(
          (await fetch(`http://127.0.0.1:${port}/livez`).catch(() => undefined))?.status,
        ).toBeUndefined();
        await mysql.start();
        late = await starting;
        expect((await fetch(`${late.baseUrl}/api/v1/products`)).status).toBe(200);
      } finally {
        await (late ?? (await starting.catch(() => undefined)))?.stop('SIGKILL');
      }
    }, 150_000);
  },
);
