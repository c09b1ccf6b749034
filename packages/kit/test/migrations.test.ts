import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  type Database,
  type Migration,
  pendingMigrations,
  runMigrations,
} from '../src/index.js';

let database: TestDatabase;
const handles: Database<any>[] = [];
beforeAll(async () => {
  database = await createTestDatabase('kit_migrations');
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await database.drop();
});

function open(): Kysely<any> {
  const handle = createDatabase<any>({ url: database.url, poolSize: 2 });
  handles.push(handle);
  return handle.db;
}

/** Each run of `up` leaves a row behind, so the test can count how often it ran. */
function countingMigration(name: string, table: string): Migration {
  return {
    name,
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.table(table)} (run_at datetime(3) NOT NULL)`.execute(db);
      // Slow enough that concurrent runners would overlap without the lock.
      await sql`SELECT SLEEP(0.2)`.execute(db);
      await sql`INSERT INTO ${sql.table(table)} (run_at) VALUES (NOW(3))`.execute(db);
    },
  };
}

describe('runMigrations', () => {
  it('applies pending migrations in order, once, and reports nothing pending afterwards', async () => {
    const db = open();
    const migrations = [countingMigration('0001_a', 'runs_a'), countingMigration('0002_b', 'runs_b')];
    expect(await pendingMigrations(db, migrations)).toEqual(['0001_a', '0002_b']);
    expect(await runMigrations(db, database.name, migrations)).toEqual(['0001_a', '0002_b']);
    expect(await runMigrations(db, database.name, migrations)).toEqual([]);
    expect(await pendingMigrations(db, migrations)).toEqual([]);
  });

  it('runs each migration exactly once when several replicas migrate at the same moment', async () => {
    const migrations = [countingMigration('0003_c', 'runs_c')];
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => runMigrations(open(), database.name, migrations)),
    );
    expect(results.flat()).toEqual(['0003_c']);
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM runs_c`.execute(open());
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('refuses a migration list that is out of order', async () => {
    await expect(
      runMigrations(open(), database.name, [
        countingMigration('0009_z', 'z'),
        countingMigration('0008_y', 'y'),
      ]),
    ).rejects.toThrow(/out of order/);
  });
});
