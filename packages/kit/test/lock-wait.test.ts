import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.js';

let database: TestDatabase;
let handle: Database<any>;

beforeAll(async () => {
  database = await createTestDatabase('kit_lock_wait');
  handle = createDatabase<any>({ url: database.url, poolSize: 2, lockWaitTimeoutSeconds: 1 });
  await sql`CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)`.execute(handle.db);
  await sql`INSERT INTO counters VALUES (1, 0)`.execute(handle.db);
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('lock waits', () => {
  it('are bounded on every pooled connection: a blocked statement fails instead of waiting 50 s', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = handle.db.transaction().execute(async (trx) => {
      await sql`SELECT n FROM counters WHERE id = 1 FOR UPDATE`.execute(trx);
      locked();
      await held;
    });
    await isLocked;
    try {
      const [setting] = (
        await sql<{ timeout: number }>`SELECT @@innodb_lock_wait_timeout AS timeout`.execute(handle.db)
      ).rows;
      expect(Number(setting?.timeout)).toBe(1);
      await expect(sql`UPDATE counters SET n = n + 1 WHERE id = 1`.execute(handle.db)).rejects.toMatchObject({
        code: 'ER_LOCK_WAIT_TIMEOUT',
      });
    } finally {
      release();
      await holder;
    }
    // Nothing of the refused statement was applied.
    const [row] = (await sql<{ n: number }>`SELECT n FROM counters WHERE id = 1`.execute(handle.db)).rows;
    expect(Number(row?.n)).toBe(0);
  });
});
