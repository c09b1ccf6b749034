import type { Generated, Kysely, Transaction } from 'kysely';
import type { RevocationTables } from '../auth/revocation-tables.js';

/** One event, written in the producer's transaction; `fanned_out_at` is set once the stream has it. */
export interface OutboxTable {
  /** Commit order of events per aggregate (see emitEvent); BIGINT, so a string. */
  seq: Generated<string>;
  id: string;
  type: string;
  version: number;
  aggregate_key: string;
  /** The event's data, JSON. */
  payload: string;
  occurred_at: Date;
  /** W3C trace context of the request that caused the event. */
  traceparent: string | null;
  tracestate: string | null;
  fanned_out_at: Date | null;
  created_at: Date;
}

/** Events this service has processed, by id: a redelivery finds its id here and has no effect. */
export interface InboxTable {
  event_id: string;
  type: string;
  version: number;
  source: string;
  occurred_at: Date;
  processed_at: Date;
}

/** The kit's tables; a service's Kysely schema extends this. */
export interface EventTables extends RevocationTables {
  outbox: OutboxTable;
  inbox: InboxTable;
}

/** Whatever Kysely a service has (typed by its own schema); the kit only touches its own tables. */
// biome-ignore lint/suspicious/noExplicitAny: any service schema is accepted here, then narrowed below.
export type AnyDatabase = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above, for a transaction.
export type AnyTransaction = Transaction<any>;

export function eventTables(db: AnyDatabase): Kysely<EventTables> {
  return db as Kysely<EventTables>;
}
