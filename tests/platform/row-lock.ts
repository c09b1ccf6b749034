import { waitFor } from '@bonding/testing';
import { createConnection, type RowDataPacket } from 'mysql2/promise';

export interface HeldRowLock {
  /** Resolves once a transaction of another connection to this database waits for a lock. */
  waitForWaiter(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Locks one row (SELECT … FOR UPDATE in an open transaction) from a connection of the test's own, so
 * a service transaction that needs the row stops right there, mid-transaction: the point where a test
 * can kill the service (or its caller) and know exactly what had and had not been committed.
 */
export async function holdRowLock(databaseUrl: string, table: string, id: string): Promise<HeldRowLock> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const holder = await createConnection({ uri: databaseUrl });
  const observer = await createConnection({ uri: databaseUrl });
  try {
    await holder.beginTransaction();
    const [rows] = await holder.query<RowDataPacket[]>('SELECT id FROM ?? WHERE id = ? FOR UPDATE', [
      table,
      id,
    ]);
    if (rows.length !== 1) throw new Error(`no ${table} row ${id} to lock`);
  } catch (error) {
    await Promise.all([holder.end(), observer.end()]);
    throw error;
  }
  return {
    async waitForWaiter() {
      await waitFor(
        async () => {
          const [rows] = await observer.query<RowDataPacket[]>(
            `SELECT COUNT(*) AS waiting
             FROM information_schema.INNODB_TRX t
             JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
             WHERE t.trx_state = 'LOCK WAIT' AND p.DB = ?`,
            [database],
          );
          return Number(rows[0]?.waiting) > 0;
        },
        // InnoDB serves INNODB_TRX from a server-wide cache that it refreshes only once nobody has read
        // it for 100 ms: polling faster (waitFor's default 50 ms) keeps the first snapshot forever, and
        // a waiter that came after it is never seen. Bounded generously for a loaded machine.
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          what: `a transaction waiting for the lock on ${table} ${id}`,
        },
      );
    },
    async release() {
      await holder.rollback();
      await Promise.all([holder.end(), observer.end()]);
    },
  };
}
