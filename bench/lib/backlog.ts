// Events still on their way out of a service (its outbox, not yet published to JetStream; the delivery rows
// of the former HTTP push are counted while old ones remain): a transfer run leaves thousands of
// `transfer.completed` events behind, and the next measurement must not pay for them. Events published but
// not yet consumed (the durables' pending) are not counted yet (#23).
import mysql, { type RowDataPacket } from 'mysql2/promise';

async function backlogOf(mysqlUrl: string): Promise<number> {
  const conn = await mysql.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM outbox WHERE fanned_out_at IS NULL)
            + (SELECT COUNT(*) FROM outbox_deliveries WHERE status = 'pending' AND next_attempt_at <= NOW(3))
         AS backlog`,
    );
    return Number(rows[0]?.backlog ?? 0);
  } finally {
    await conn.end();
  }
}

/**
 * Waits until no event is waiting to be fanned out or delivered now (deliveries backing off after a failure
 * wait for later anyway). Returns the seconds waited and what is left when the wait ran out (bounded).
 */
export async function waitForEventsDelivered(
  mysqlUrls: string[],
  timeoutMs = 120_000,
): Promise<{ seconds: number; left: number }> {
  const started = performance.now();
  for (;;) {
    const backlogs = await Promise.all(mysqlUrls.map(backlogOf));
    const left = backlogs.reduce((sum, n) => sum + n, 0);
    const seconds = (performance.now() - started) / 1000;
    if (left === 0 || performance.now() - started > timeoutMs) return { seconds, left };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
