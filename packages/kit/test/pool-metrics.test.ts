import { createTestDatabase, type TestDatabase, waitFor } from '@bonding/testing';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.js';

let database: TestDatabase;
let handle: Database<any>;
const registry = new Registry();

beforeAll(async () => {
  database = await createTestDatabase('kit_pool_metrics');
  handle = createDatabase<any>({ url: database.url, poolSize: 2, registry });
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

/** A sample as /metrics shows it (histograms by their `_count` series). */
async function value(name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name.replace(/_count$/, ''));
  const values = (metric?.values ?? []) as { value: number; metricName?: string }[];
  return values.find((v) => (v.metricName ?? metric?.name) === name)?.value ?? Number.NaN;
}

const acquisitions = () => value('db_pool_acquire_seconds_count');

describe('database pool metrics', () => {
  it('count connections in use and requests waiting for one, and return to zero', async () => {
    expect(await value('db_pool_max_connections')).toBe(2);
    expect(await value('db_pool_connections_in_use')).toBe(0);
    const before = await acquisitions();

    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Two transactions hold both connections; a third query has to wait for one.
    const holders = [1, 2].map(() =>
      handle.db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await gate;
      }),
    );
    await waitFor(async () => (await value('db_pool_connections_in_use')) === 2, {
      what: 'both connections to be in use',
    });
    const third = sql`SELECT 1`.execute(handle.db);
    await waitFor(async () => (await value('db_pool_waiting_requests')) === 1, {
      what: 'the third query to wait',
    });

    open();
    await Promise.all([...holders, third]);
    expect(await value('db_pool_connections_in_use')).toBe(0);
    expect(await value('db_pool_waiting_requests')).toBe(0);
    expect((await acquisitions()) - before).toBe(3);
  });

  it('count a connection once when a failing transaction gives it back', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`SELECT no_such_column FROM no_such_table`.execute(trx);
      }),
    ).rejects.toThrow();
    expect(await value('db_pool_connections_in_use')).toBe(0);
  });
});
