import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { Registry } from 'prom-client';
import { countingPool, createPoolMetrics } from './pool-metrics.js';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  /** How long opening a connection may take before the request fails with 503. */
  connectTimeoutMs?: number;
  /** innodb_lock_wait_timeout of every connection (the server's default is 50 s). */
  lockWaitTimeoutSeconds?: number;
  /** When given, the pool's use (connections in use, requests waiting, limit) is exported on it. */
  registry?: Registry | undefined;
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
 * strings (never silently rounded), lock waits are bounded (a request never
 * waits the server's 50 s for a row), and a lost server fails requests fast;
 * the pool opens fresh connections when it returns, so no restart is needed.
 */
export function createDatabase<Schema>({
  url,
  poolSize = 10,
  connectTimeoutMs = 2_000,
  lockWaitTimeoutSeconds = 5,
  registry,
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
    connection.query("SET time_zone = '+00:00', innodb_lock_wait_timeout = ?", [lockWaitTimeoutSeconds]);
  });
  const dialectPool = registry ? countingPool(pool, createPoolMetrics(registry, poolSize)) : pool;
  const db = new Kysely<Schema>({ dialect: new MysqlDialect({ pool: dialectPool }) });
  return {
    db,
    pool,
    name,
    // Kysely's destroy ends the pool it was given.
    close: () => db.destroy(),
  };
}
