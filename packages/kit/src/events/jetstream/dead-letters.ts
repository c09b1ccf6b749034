import type { EventEnvelope } from '@bonding/contracts';
import { type Generated, type Kysely, sql } from 'kysely';
import type { AnyDatabase as AnyDb, AnyTransaction as AnyTrx } from '../tables.js';

/**
 * The JetStream consumer's own dead letters, in the consumer's database (the producer no longer knows who
 * received what): their tables, writing them from the consumer, and the operator's list / replay / discard
 * (dead-letter-cli.ts, dead-letter-routes.ts). A replay or discard only marks the aggregate `releasing`;
 * the consumer's replay pass (consumer.ts) then applies its letters in order, since only it has the
 * handlers. `status`:
 * - `dead`: gave up after max attempts, or refused for good; blocks its aggregate until an operator acts;
 * - `parked`: a later event of a blocked aggregate, kept here in order (never applied before the dead one);
 * - `replay`: an operator asked for the dead one to be applied again;
 * - `replayed` / `discarded`: resolved (kept for the record, purged like the inbox).
 * The whole envelope is kept: the stream forgets events after max_age, a dead letter may wait longer.
 */
export const INBOX_DEAD_LETTER_STATUSES = ['dead', 'parked', 'replay', 'replayed', 'discarded'] as const;
export type InboxDeadLetterStatus = (typeof INBOX_DEAD_LETTER_STATUSES)[number];
/** The unresolved: what listings show by default and the gauge counts. */
export const UNRESOLVED_STATUSES = ['dead', 'parked', 'replay'] as const;

/** A letter's id as operators write it (the table's BIGINT key): what replay and discard take. */
export const LETTER_ID = /^[1-9]\d{0,18}$/;

export interface InboxDeadLetterTables {
  inbox_dead_letters: {
    id: Generated<string>;
    /** The consuming service (its durables' name). */
    consumer: string;
    event_id: string;
    source: string;
    type: string;
    version: number;
    aggregate_key: string;
    status: InboxDeadLetterStatus;
    /**
     * The sequence in the stream its durable reads (the main or the private one), for the record. An
     * aggregate's letters are applied in `id` order, the order the consumer met them: the same as stream
     * order within one durable, and comparable across the two streams, which sequences are not.
     */
    stream_seq: string;
    /** Deliveries (attempts) made before it became a dead letter; 0 for a parked event. */
    deliveries: number;
    reason: string | null;
    /** The event envelope, JSON: what a replay applies. Never shown by listings. */
    envelope: string;
    traceparent: string | null;
    tracestate: string | null;
    created_at: Date;
    updated_at: Date;
  };
  /** An aggregate with a dead letter ahead of its later events; `releasing` once an operator replayed or discarded it. */
  inbox_blocked_aggregates: {
    consumer: string;
    source: string;
    aggregate_key: string;
    releasing: number;
    created_at: Date;
    updated_at: Date;
  };
}

/**
 * Creates the consumer's dead-letter tables. A service consuming over JetStream lists it in its own
 * migrations under its next number (as it lists createEventTables):
 *
 *   { name: '0012_create_inbox_dead_letters', up: createInboxDeadLetterTables },
 */
export async function createInboxDeadLetterTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbox_dead_letters')
    .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('consumer', 'varchar(64)', (col) => col.notNull())
    .addColumn('event_id', 'char(36)', (col) => col.notNull())
    .addColumn('source', 'varchar(64)', (col) => col.notNull())
    .addColumn('type', 'varchar(64)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('aggregate_key', 'varchar(128)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('stream_seq', 'bigint', (col) => col.notNull())
    .addColumn('deliveries', 'integer', (col) => col.notNull())
    .addColumn('reason', 'varchar(1000)')
    .addColumn('envelope', sql`mediumtext`, (col) => col.notNull())
    .addColumn('traceparent', 'varchar(55)')
    .addColumn('tracestate', 'varchar(512)')
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  // A redelivery of an event already dead-lettered or parked finds it here and changes nothing.
  await db.schema
    .createIndex('inbox_dead_letters_event')
    .unique()
    .on('inbox_dead_letters')
    .columns(['consumer', 'event_id'])
    .execute();
  // An aggregate's letters (the head a replay applies next is the lowest id among them).
  await db.schema
    .createIndex('inbox_dead_letters_aggregate')
    .on('inbox_dead_letters')
    .columns(['consumer', 'source', 'aggregate_key', 'stream_seq'])
    .execute();
  await db.schema
    .createIndex('inbox_dead_letters_status')
    .on('inbox_dead_letters')
    .columns(['status', 'updated_at'])
    .execute();

  await db.schema
    .createTable('inbox_blocked_aggregates')
    .addColumn('consumer', 'varchar(64)', (col) => col.notNull())
    .addColumn('source', 'varchar(64)', (col) => col.notNull())
    .addColumn('aggregate_key', 'varchar(128)', (col) => col.notNull())
    .addColumn('releasing', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addPrimaryKeyConstraint('inbox_blocked_aggregates_pk', ['consumer', 'source', 'aggregate_key'])
    .execute();
  await db.schema
    .createIndex('inbox_blocked_aggregates_releasing')
    .on('inbox_blocked_aggregates')
    .columns(['consumer', 'releasing'])
    .execute();
}

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

/** One aggregate of one consumer: its block row's key, and what its letters share. */
export interface Aggregate {
  consumer: string;
  source: string;
  aggregate_key: string;
}

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
export async function isBlocked(trx: AnyTrx, aggregate: Aggregate) {
  const row = await tablesOf(trx)
    .selectFrom('inbox_blocked_aggregates')
    .select('consumer')
    .where((eb) => eb.and(aggregate))
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
      const row = letterRow(input, 'dead');
      const { consumer, source, aggregate_key, created_at, updated_at } = row;
      await tablesOf(trx)
        .insertInto('inbox_blocked_aggregates')
        .values({ consumer, source, aggregate_key, releasing: 0, created_at, updated_at })
        .orIgnore()
        .execute();
      await tablesOf(trx).insertInto('inbox_dead_letters').values(row).orIgnore().execute();
    });
}

export interface InboxDeadLetterFilter {
  consumer?: string | undefined;
  /** Unresolved (dead, replay and parked) by default. */
  status?: InboxDeadLetterStatus | undefined;
  type?: string | undefined;
}

export type InboxDeadLetter = Awaited<ReturnType<typeof listInboxDeadLetters>>[number];

/** Dead letters and parked events, oldest first, keyset-paged by id. The event's data is not shown. */
export async function listInboxDeadLetters(
  db: AnyDb,
  filter: InboxDeadLetterFilter & { limit: number; afterId?: string | undefined },
) {
  let query = tablesOf(db)
    .selectFrom('inbox_dead_letters')
    .select(['id', 'consumer', 'event_id as eventId', 'source', 'type', 'version', 'status', 'deliveries'])
    .select(['reason', 'created_at as createdAt', 'updated_at as updatedAt'])
    .where('status', 'in', filter.status ? [filter.status] : UNRESOLVED_STATUSES)
    .orderBy('id')
    .limit(filter.limit);
  if (filter.consumer) query = query.where('consumer', '=', filter.consumer);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.afterId) query = query.where('id', '>', sql<string>`CAST(${filter.afterId} AS UNSIGNED)`);
  return (await query.execute()).map((row) => ({
    ...row,
    id: String(row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
}

/** Dead letters by id, or all those of a consumer and event type. */
type Selection = { ids: readonly string[] } | { all: true; filter?: Omit<InboxDeadLetterFilter, 'status'> };

/** Marks the selected dead letters and releases their aggregates; returns how many were marked. */
async function release(db: AnyDb, to: 'replay' | 'discarded', selection: Selection): Promise<number> {
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
      const ids = letters.map((letter) => letter.id);
      await tables
        .updateTable('inbox_dead_letters')
        .set({ status: to, updated_at: now })
        .where('id', 'in', ids)
        .execute();
      for (const { consumer, source, aggregate_key } of letters) {
        await tables
          .updateTable('inbox_blocked_aggregates')
          .set({ releasing: 1, updated_at: now })
          .where((eb) => eb.and({ consumer, source, aggregate_key }))
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
export const replayInboxDeadLetters = (db: AnyDb, selection: Selection) => release(db, 'replay', selection);

/** Gives up on dead letters for good; the events parked behind them are then applied, in order. */
export const discardInboxDeadLetters = (db: AnyDb, ids: readonly string[]) =>
  release(db, 'discarded', { ids });
