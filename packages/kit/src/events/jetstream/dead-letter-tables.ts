import { type Generated, type Kysely, sql } from 'kysely';

/**
 * The JetStream consumer's own dead letters, in the consumer's database (the producer no longer knows who
 * received what). `status`:
 * - `dead`: gave up after max attempts, or refused for good; blocks its aggregate until an operator acts;
 * - `parked`: a later event of a blocked aggregate, kept here in order (never applied before the dead one);
 * - `replay`: an operator asked for the dead one to be applied again;
 * - `replayed` / `discarded`: resolved (kept for the record, purged like the inbox).
 * The whole envelope is kept: the stream forgets events after max_age, a dead letter may wait longer.
 */
export const INBOX_DEAD_LETTER_STATUSES = ['dead', 'parked', 'replay', 'replayed', 'discarded'] as const;
export type InboxDeadLetterStatus = (typeof INBOX_DEAD_LETTER_STATUSES)[number];

/** A letter's id as operators write it (the table's BIGINT key): what replay and discard take. */
export const LETTER_ID = /^[1-9]\d{0,18}$/;

export interface InboxDeadLettersTable {
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
   * aggregate's letters are applied in `id` order, the order the consumer met them: the same as stream order
   * within one durable, and comparable across the two streams, which sequences are not.
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
}

/** An aggregate with a dead letter ahead of its later events; `releasing` once an operator replayed or discarded it. */
export interface InboxBlockedAggregatesTable {
  consumer: string;
  source: string;
  aggregate_key: string;
  releasing: number;
  created_at: Date;
  updated_at: Date;
}

export interface InboxDeadLetterTables {
  inbox_dead_letters: InboxDeadLettersTable;
  inbox_blocked_aggregates: InboxBlockedAggregatesTable;
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
