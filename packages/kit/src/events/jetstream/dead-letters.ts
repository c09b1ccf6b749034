import type { EventEnvelope } from '@bonding/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { InboxDeadLetterStatus, InboxDeadLetterTables } from './dead-letter-tables.js';

/**
 * The consumer's dead letters and parked events (dead-letter-tables.ts): writing them from the consumer,
 * and the operator's list / replay / discard. A replay or discard only marks the aggregate `releasing`; the
 * consumer's replay pass (consumer.ts) then applies its letters in order, since only it has the handlers.
 */

// biome-ignore lint/suspicious/noExplicitAny: any service schema; only the kit's tables are touched.
type AnyDb = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above, for a transaction.
type AnyTrx = Transaction<any>;

export const tablesOf = (db: AnyDb | AnyTrx) => db as unknown as Kysely<InboxDeadLetterTables>;

export interface LetterInput {
  consumer: string;
  envelope: EventEnvelope;
  aggregateKey: string;
  streamSeq: number;
  deliveries: number;
  reason: string | null;
  traceparent: string | null;
  tracestate: string | null;
}

const now = sql<Date>`NOW(3)`;

function letterRow(input: LetterInput, status: InboxDeadLetterStatus) {
  return {
    consumer: input.consumer,
    event_id: input.envelope.id,
    source: input.envelope.source,
    type: input.envelope.type,
    version: input.envelope.version,
    aggregate_key: input.aggregateKey,
    status,
    stream_seq: String(input.streamSeq),
    deliveries: input.deliveries,
    reason: input.reason?.slice(0, 1000) ?? null,
    envelope: JSON.stringify(input.envelope),
    traceparent: input.traceparent,
    tracestate: input.tracestate,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Is the event's aggregate blocked by a dead letter? Locks the aggregate's block row (READ COMMITTED: a
 * point lock on the primary key, no gap locks), so a replay finishing this aggregate and this event's
 * decision happen one after the other, never interleaved.
 */
export async function isBlocked(trx: AnyTrx, consumer: string, source: string, aggregateKey: string) {
  const row = await tablesOf(trx)
    .selectFrom('inbox_blocked_aggregates')
    .select('consumer')
    .where('consumer', '=', consumer)
    .where('source', '=', source)
    .where('aggregate_key', '=', aggregateKey)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** Keeps an event of a blocked aggregate behind its dead letter; a redelivery of it changes nothing. */
export async function parkEvent(trx: AnyTrx, input: LetterInput): Promise<void> {
  await tablesOf(trx)
    .insertInto('inbox_dead_letters')
    .values(letterRow(input, 'parked'))
    .orIgnore()
    .execute();
}

/** Records a dead letter and blocks its aggregate, in one transaction; a redelivery of it changes nothing. */
export async function recordDeadLetter(db: AnyDb, input: LetterInput): Promise<void> {
  await db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const tables = tablesOf(trx);
      await tables
        .insertInto('inbox_blocked_aggregates')
        .values({
          consumer: input.consumer,
          source: input.envelope.source,
          aggregate_key: input.aggregateKey,
          releasing: 0,
          created_at: now,
          updated_at: now,
        })
        .orIgnore()
        .execute();
      await tables.insertInto('inbox_dead_letters').values(letterRow(input, 'dead')).orIgnore().execute();
    });
}

export interface InboxDeadLetter {
  id: string;
  consumer: string;
  eventId: string;
  source: string;
  type: string;
  version: number;
  status: InboxDeadLetterStatus;
  deliveries: number;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InboxDeadLetterFilter {
  consumer?: string | undefined;
  /** Unresolved (dead, replay and parked) by default. */
  status?: InboxDeadLetterStatus | undefined;
  type?: string | undefined;
}

/** Dead letters and parked events, oldest first, keyset-paged by id. The event's data is not shown. */
export async function listInboxDeadLetters(
  db: AnyDb,
  filter: InboxDeadLetterFilter & { limit: number; afterId?: string | undefined },
): Promise<InboxDeadLetter[]> {
  let query = tablesOf(db)
    .selectFrom('inbox_dead_letters')
    .select([
      'id',
      'consumer',
      'event_id',
      'source',
      'type',
      'version',
      'status',
      'deliveries',
      'reason',
      'created_at',
      'updated_at',
    ])
    .orderBy('id')
    .limit(filter.limit);
  query = filter.status
    ? query.where('status', '=', filter.status)
    : query.where('status', 'in', ['dead', 'replay', 'parked']);
  if (filter.consumer) query = query.where('consumer', '=', filter.consumer);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.afterId) query = query.where('id', '>', sql<string>`CAST(${filter.afterId} AS UNSIGNED)`);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    consumer: row.consumer,
    eventId: row.event_id,
    source: row.source,
    type: row.type,
    version: row.version,
    status: row.status,
    deliveries: row.deliveries,
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }));
}

async function release(
  db: AnyDb,
  to: 'replay' | 'discarded',
  selection: { ids: readonly string[] } | { all: true; filter?: Omit<InboxDeadLetterFilter, 'status'> },
): Promise<number> {
  if ('ids' in selection && selection.ids.length === 0) return 0;
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const tables = tablesOf(trx);
      let query = tables
        .selectFrom('inbox_dead_letters')
        .select(['id', 'consumer', 'source', 'aggregate_key'])
        .where('status', '=', 'dead')
        .forUpdate();
      if ('ids' in selection) query = query.where('id', 'in', [...selection.ids]);
      else {
        if (selection.filter?.consumer) query = query.where('consumer', '=', selection.filter.consumer);
        if (selection.filter?.type) query = query.where('type', '=', selection.filter.type);
      }
      const letters = await query.execute();
      if (letters.length === 0) return 0;
      await tables
        .updateTable('inbox_dead_letters')
        .set({ status: to, updated_at: now })
        .where(
          'id',
          'in',
          letters.map((letter) => letter.id),
        )
        .execute();
      for (const letter of letters) {
        await tables
          .updateTable('inbox_blocked_aggregates')
          .set({ releasing: 1, updated_at: now })
          .where('consumer', '=', letter.consumer)
          .where('source', '=', letter.source)
          .where('aggregate_key', '=', letter.aggregate_key)
          .execute();
      }
      return letters.length;
    });
}

/**
 * Asks for dead letters to be applied again (after the fix), the ones named or all matching the filter:
 * the consumer's next replay pass applies each, then the events parked behind it, in order. Returns how
 * many were marked.
 */
export function replayInboxDeadLetters(
  db: AnyDb,
  selection: { ids: readonly string[] } | { all: true; filter?: Omit<InboxDeadLetterFilter, 'status'> },
): Promise<number> {
  return release(db, 'replay', selection);
}

/** Gives up on dead letters for good; the events parked behind them are then applied, in order. */
export function discardInboxDeadLetters(db: AnyDb, ids: readonly string[]): Promise<number> {
  return release(db, 'discarded', { ids });
}

/**
 * Deletes resolved letters (replayed, discarded) last changed longer ago than `retentionMs` (the inbox
 * retention suits: after it, their events would not be recognised anyway), in bounded batches. Dead and
 * parked letters stay until resolved. Returns how many went.
 */
export async function purgeInboxDeadLetters(db: AnyDb, retentionMs: number, batch = 1_000): Promise<number> {
  let total = 0;
  for (let round = 0; round < 50; round++) {
    const result = await tablesOf(db)
      .deleteFrom('inbox_dead_letters')
      .where('status', 'in', ['replayed', 'discarded'])
      .where(
        'updated_at',
        '<',
        sql<Date>`DATE_SUB(NOW(3), INTERVAL ${Math.round(retentionMs) * 1000} MICROSECOND)`,
      )
      .limit(batch)
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) break;
  }
  return total;
}
