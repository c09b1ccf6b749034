import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  /** How long opening a connection may take before the request fails with 503. */
  connectTimeoutMs?: number;
}

export interface Database<Schema> {
  db: Kysely<Schema>;
  pool: Pool;
  /** The database name from the URL, used to scope migration locks. */
  name: string;
  close(): Promise<void>;
}

/**
 * Kysely over a mysql2 pool. Connections speak UTC, BIGINTs come back as
 * strings (never silently rounded), and a lost server fails requests fast; the
 * pool opens fresh connections when it returns, so no restart is needed.
 */
export function createDatabase<Schema>({
  url,
  poolSize = 10,
  connectTimeoutMs = 2_000,
}: DatabaseOptions): Database<Schema> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const pool = createPool({
    uri: url,
    connectionLimit: poolSize,
    maxIdle: poolSize,
    idleTimeout: 60_000,
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  });
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  const db = new Kysely<Schema>({ dialect: new MysqlDialect({ pool }) });
  return {
    db,
    pool,
    name,
    // Kysely's destroy ends the pool it was given.
    close: () => db.destroy(),
  };
}
