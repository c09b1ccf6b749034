// Events still on their way: in a service's outbox (not yet published to JetStream), or in the stream and
// not yet applied by a consumer (its durables' pending and unacknowledged messages). A transfer run leaves
// thousands of `transfer.completed` events behind, and the next measurement must not pay for them.
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { connectNats, privateRootOf } from '../../packages/kit/src/index.js';
import { unconsumedUnder } from '../../packages/testing/src/index.js';

async function unpublishedOf(mysqlUrl: string): Promise<number> {
  const conn = await mysql.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS backlog FROM outbox WHERE fanned_out_at IS NULL',
    );
    return Number(rows[0]?.backlog ?? 0);
  } finally {
    await conn.end();
  }
}

/** Where the bench's events are: the NATS server and the bench's subject root (its streams are found by it). */
export interface BenchEvents {
  natsUrl: string;
  prefix: string;
}

/**
 * Waits until every event is published and applied (a consumer retrying a failed event keeps it pending:
 * the wait then runs out). Returns the seconds waited and what is left when the wait ran out (bounded).
 */
export async function waitForEventsDelivered(
  mysqlUrls: string[],
  events: BenchEvents,
  timeoutMs = 120_000,
): Promise<{ seconds: number; left: number }> {
  const started = performance.now();
  // One NATS connection for the whole wait, not one per poll.
  const nc = await connectNats(events.natsUrl, 'bonding-bench');
  try {
    for (;;) {
      const backlogs = await Promise.all([
        ...mysqlUrls.map(unpublishedOf),
        unconsumedUnder(nc, [events.prefix, privateRootOf(events.prefix)]),
      ]);
      const left = backlogs.reduce((sum, n) => sum + n, 0);
      const seconds = (performance.now() - started) / 1000;
      if (left === 0 || performance.now() - started > timeoutMs) return { seconds, left };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await nc.close();
  }
}
