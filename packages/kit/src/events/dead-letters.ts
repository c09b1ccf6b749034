import { sql } from 'kysely';
import { type AnyDatabase, eventTables } from './tables.js';

export interface DeadLetter {
  /** The delivery's id: what a replay names. */
  id: string;
  eventId: string;
  type: string;
  version: number;
  subscriber: string;
  attempts: number;
  reason: string | null;
  occurredAt: string;
  deadAt: string;
}

export interface DeadLetterFilter {
  subscriber?: string | undefined;
  type?: string | undefined;
}

/** Dead letters, oldest first, keyset-paged by delivery id. The event's data is not shown. */
export async function listDeadLetters(
  db: AnyDatabase,
  filter: DeadLetterFilter & { limit: number; afterId?: string | undefined },
): Promise<DeadLetter[]> {
  let query = eventTables(db)
    .selectFrom('outbox_deliveries as d')
    .innerJoin('outbox as o', 'o.seq', 'd.event_seq')
    .select([
      'd.id',
      'd.event_id',
      'd.event_type',
      'o.version',
      'd.subscriber',
      'd.attempts',
      'd.last_error',
      'o.occurred_at',
      'd.updated_at',
    ])
    .where('d.status', '=', 'dead')
    .orderBy('d.id')
    .limit(filter.limit);
  if (filter.subscriber) query = query.where('d.subscriber', '=', filter.subscriber);
  if (filter.type) query = query.where('d.event_type', '=', filter.type);
  // Ids are BIGINTs: compare as numbers, not strings.
  if (filter.afterId) query = query.where('d.id', '>', sql<string>`CAST(${filter.afterId} AS UNSIGNED)`);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    eventId: row.event_id,
    type: row.event_type,
    version: row.version,
    subscriber: row.subscriber,
    attempts: row.attempts,
    reason: row.last_error,
    occurredAt: row.occurred_at.toISOString(),
    deadAt: row.updated_at.toISOString(),
  }));
}

/**
 * Puts dead letters back in the queue with a fresh set of attempts: the ones
 * named by id, or every one matching the filter. The reason of the last
 * failure stays until the next attempt. Returns how many were requeued.
 */
export async function replayDeadLetters(
  db: AnyDatabase,
  selection: { ids: readonly string[] } | { all: true; filter?: DeadLetterFilter },
): Promise<number> {
  let query = eventTables(db)
    .updateTable('outbox_deliveries')
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: sql<Date>`NOW(3)`,
      updated_at: sql<Date>`NOW(3)`,
    })
    .where('status', '=', 'dead');
  if ('ids' in selection) {
    if (selection.ids.length === 0) return 0;
    query = query.where('id', 'in', [...selection.ids]);
  } else {
    if (selection.filter?.subscriber) query = query.where('subscriber', '=', selection.filter.subscriber);
    if (selection.filter?.type) query = query.where('event_type', '=', selection.filter.type);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
