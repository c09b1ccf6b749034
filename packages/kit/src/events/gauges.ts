import { sql } from 'kysely';
import type { EventMetrics } from './metrics.js';
import { type AnyDatabase, eventTables } from './tables.js';

/**
 * Re-reads the backlog and dead letters into the gauges. Every replica reports
 * the same database-wide numbers, so dashboards take `max`, not `sum`.
 */
export async function refreshOutboxGauges(db: AnyDatabase, metrics: EventMetrics): Promise<void> {
  const tables = eventTables(db);
  const counts = await tables
    .selectFrom('outbox_deliveries')
    .select(['status', 'event_type', 'subscriber', (eb) => eb.fn.countAll<string>().as('n')])
    .where('status', 'in', ['pending', 'dead'])
    .groupBy(['status', 'event_type', 'subscriber'])
    .execute();
  const oldest = await tables
    .selectFrom('outbox_deliveries')
    .select([
      'subscriber',
      sql<string>`TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(3)) / 1000000`.as('seconds'),
    ])
    .where('status', '=', 'pending')
    .groupBy('subscriber')
    .execute();
  // Reset first, so a backlog that cleared reads 0 instead of its last value.
  metrics.backlog.reset();
  metrics.deadLetters.reset();
  metrics.oldestPendingSeconds.reset();
  for (const row of counts) {
    const gauge = row.status === 'pending' ? metrics.backlog : metrics.deadLetters;
    gauge.set({ type: row.event_type, subscriber: row.subscriber }, Number(row.n));
  }
  for (const row of oldest)
    metrics.oldestPendingSeconds.set({ subscriber: row.subscriber }, Number(row.seconds));
}
