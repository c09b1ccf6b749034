import { type Kysely, sql } from 'kysely';

/** A forward-only schema change. Names sort in the order they apply: `0001_create_users`. */
export interface Migration {
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

const MIGRATIONS_TABLE = 'schema_migrations';
const LOCK_TIMEOUT_SECONDS = 60;

export class MigrationError extends Error {}

/**
 * Applies the pending migrations in order under a MySQL named lock scoped to the
 * database, so replicas starting together never race and services sharing one
 * server never wait on each other. Returns the names it applied.
 */
export async function runMigrations(
  db: Kysely<any>,
  databaseName: string,
  migrations: Migration[],
): Promise<string[]> {
  assertOrdered(migrations);
  const lockName = `bonding_migrate:${databaseName}`.slice(0, 64);
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      locked: number | null;
    }>`SELECT GET_LOCK(${lockName}, ${LOCK_TIMEOUT_SECONDS}) AS locked`.execute(connection);
    if (Number(rows[0]?.locked) !== 1) {
      throw new MigrationError(
        `could not take the migration lock ${lockName} within ${LOCK_TIMEOUT_SECONDS}s`,
      );
    }
    try {
      await ensureMigrationsTable(connection);
      const applied = new Set(await appliedMigrationNames(connection));
      const done: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.name)) continue;
        await migration.up(connection);
        await connection
          .insertInto(MIGRATIONS_TABLE)
          .values({ name: migration.name, applied_at: new Date() })
          .execute();
        done.push(migration.name);
      }
      return done;
    } finally {
      await sql`SELECT RELEASE_LOCK(${lockName})`.execute(connection);
    }
  });
}

/** Names of known migrations the database has not applied yet (readiness uses this). */
export async function pendingMigrations(db: Kysely<any>, migrations: Migration[]): Promise<string[]> {
  let applied: Set<string>;
  try {
    applied = new Set(await appliedMigrationNames(db));
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') return migrations.map((m) => m.name);
    throw error;
  }
  return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
}

async function ensureMigrationsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(MIGRATIONS_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('applied_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
}

async function appliedMigrationNames(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom(MIGRATIONS_TABLE).select('name').execute();
  return rows.map((row) => row.name as string);
}

function assertOrdered(migrations: Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1] as Migration;
    const current = migrations[i] as Migration;
    if (previous.name >= current.name) {
      throw new MigrationError(`migrations out of order: ${previous.name} before ${current.name}`);
    }
  }
}
