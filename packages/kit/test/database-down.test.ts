import { createTestDatabase, TcpProxy, type TestDatabase } from '@bonding/testing';
import { createRoute } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRouter, type Database, databaseReadiness } from '../src/index.js';
import { createTestApp } from './test-app.js';

let database: TestDatabase;
let proxy: TcpProxy;
let handle: Database<any>;
beforeAll(async () => {
  database = await createTestDatabase('kit_down');
  const target = new URL(database.url);
  proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
  await proxy.start();
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  handle = createDatabase<any>({ url: viaProxy.toString(), poolSize: 4, connectTimeoutMs: 1000 });
});
afterAll(async () => {
  await proxy.stop();
  await handle.close();
  await database.drop();
});

function appOverProxy() {
  const service = createTestApp({ readiness: databaseReadiness(handle.db, []) });
  service.app.route(
    '/api/v1',
    createRouter().openapi(
      createRoute({ method: 'get', path: '/now', responses: { 200: { description: 'the database clock' } } }),
      async (c) => {
        const { rows } = await sql<{ now: Date }>`SELECT NOW(3) AS now`.execute(handle.db);
        return c.json({ now: rows[0]?.now }, 200);
      },
    ),
  );
  return service.app;
}

describe('when the database goes away', () => {
  it('fails fast with 503 problem+json, turns /readyz red, and recovers by itself when it returns', async () => {
    const app = appOverProxy();
    expect((await app.request('/api/v1/now')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);

    await proxy.stop();
    const started = performance.now();
    const down = await app.request('/api/v1/now');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('application/problem+json');
    expect(await down.json()).toMatchObject({ code: 'database_unavailable' });
    expect(down.headers.get('retry-after')).toBe('1');
    // Fail fast: a refused connection is not a timeout (the bound is generous for a loaded CI machine).
    expect(performance.now() - started).toBeLessThan(5000);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).checks.database).not.toBe('ok');

    await proxy.start();
    expect((await app.request('/api/v1/now')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});
