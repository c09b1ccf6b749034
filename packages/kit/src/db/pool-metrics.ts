import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import { Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The connection pool's use, counted at the one door every query goes through: the
 * `getConnection`/`release` pair Kysely's MySQL driver calls. mysql2 keeps its own
 * counts only in private fields (`_allConnections`, `_connectionQueue`), and its
 * public pool events are lopsided (a connection handed straight to a waiting
 * request emits neither `release` nor `acquire`), so neither is a sound source.
 * Counting here needs no internals and sees exactly what the service asked for.
 *
 * No labels beyond the registry's `service`: each process has one pool.
 */
export interface PoolMetrics {
  inUse: Gauge;
  waiting: Gauge;
  max: Gauge;
  acquireSeconds: Histogram;
}

export function createPoolMetrics(registry: Registry, maxConnections: number): PoolMetrics {
  const registers = [registry];
  const metrics: PoolMetrics = {
    inUse: new Gauge({
      name: 'db_pool_connections_in_use',
      help: 'Database connections lent out of the pool right now (running a query or a transaction).',
      registers,
    }),
    waiting: new Gauge({
      name: 'db_pool_waiting_requests',
      help: 'Requests waiting for a database connection because the pool is at its limit or still connecting.',
      registers,
    }),
    max: new Gauge({
      name: 'db_pool_max_connections',
      help: 'The most connections the pool may open (MYSQL_POOL_SIZE).',
      registers,
    }),
    acquireSeconds: new Histogram({
      name: 'db_pool_acquire_seconds',
      help: 'Time to get a connection from the pool (waiting, and opening one when needed).',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
  metrics.max.set(maxConnections);
  return metrics;
}

/** The pool as Kysely sees it, counting every connection lent and returned. */
export function countingPool(pool: MysqlPool, metrics: PoolMetrics): MysqlPool {
  // Connections lent and not yet returned; release() may be called twice, it counts once.
  const lent = new WeakSet<MysqlPoolConnection>();
  const wrapped = new WeakSet<MysqlPoolConnection>();
  const countRelease = (connection: MysqlPoolConnection) => {
    if (wrapped.has(connection)) return;
    wrapped.add(connection);
    const release = connection.release.bind(connection);
    connection.release = () => {
      if (lent.delete(connection)) metrics.inUse.dec();
      release();
    };
  };
  return {
    getConnection(callback) {
      metrics.waiting.inc();
      const stopTimer = metrics.acquireSeconds.startTimer();
      pool.getConnection((error, connection) => {
        metrics.waiting.dec();
        stopTimer();
        if (!error && connection) {
          countRelease(connection);
          lent.add(connection);
          metrics.inUse.inc();
        }
        callback(error, connection);
      });
    },
    end: (callback) => pool.end(callback),
  };
}
