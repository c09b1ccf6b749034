import { sql } from 'kysely';
import { type Subscriber, subscribesTo } from './subscribers.js';
import { type AnyDatabase, eventTables } from './tables.js';

/**
 * Turns new outbox events into one delivery row per subscriber of their type.
 * One relay at a time does this (a named lock, skipped when taken), in event
 * order, so an aggregate's deliveries are numbered in the order its events
 * committed. Returns how many events it fanned out.
 */
export async function fanOutEvents(
  db: AnyDatabase,
  lockName: string,
  subscribers: readonly Subscriber[],
  batchSize = 200,
): Promise<number> {
  return eventTables(db)
    .connection()
    .execute(async (connection) => {
      const { rows } = await sql<{
        locked: number | null;
      }>`SELECT GET_LOCK(${lockName}, 0) AS locked`.execute(connection);
      if (Number(rows[0]?.locked) !== 1) return 0;
      try {
        return await connection.transaction().execute(async (trx) => {
          const events = await trx
            .selectFrom('outbox')
            .select(['seq', 'id', 'type', 'aggregate_key', 'payload'])
            .where('fanned_out_at', 'is', null)
            .orderBy('seq')
            .limit(batchSize)
            .execute();
          if (events.length === 0) return 0;
          const now = sql<Date>`NOW(3)`;
          const deliveries = events.flatMap((event) => {
            let data: Record<string, unknown> | undefined;
            const routed = {
              type: event.type,
              data: () => {
                data ??= JSON.parse(event.payload) as Record<string, unknown>;
                return data;
              },
            };
            return subscribers
              .filter((subscriber) => subscribesTo(subscriber, routed))
              .map((subscriber) => ({
                event_seq: event.seq,
                event_id: event.id,
                event_type: event.type,
                aggregate_key: event.aggregate_key,
                subscriber: subscriber.name,
                status: 'pending' as const,
                attempts: 0,
                next_attempt_at: now,
                last_error: null,
                created_at: now,
                updated_at: now,
              }));
          });
          if (deliveries.length > 0) await trx.insertInto('outbox_deliveries').values(deliveries).execute();
          await trx
            .updateTable('outbox')
            .set({ fanned_out_at: now })
            .where(
              'seq',
              'in',
              events.map((event) => event.seq),
            )
            .execute();
          return events.length;
        });
      } finally {
        await sql`SELECT RELEASE_LOCK(${lockName})`.execute(connection);
      }
    });
}
