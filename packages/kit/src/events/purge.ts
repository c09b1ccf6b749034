import { type DeleteResult, sql } from 'kysely';
import { tablesOf } from './jetstream/dead-letters.js';
import { type AnyDatabase, eventTables } from './tables.js';

export interface PurgeSettings {
  /** Events published to the stream longer ago than this go. */
  outboxRetentionMs: number;
  /**
   * Processed event ids older than this go, and resolved dead letters (replayed, discarded) last changed
   * longer ago: after it their events would not be recognised anyway.
   */
  inboxRetentionMs: number;
  /** Whether the service consumes, and so has the dead-letter tables. */
  deadLetters?: boolean;
}

export interface PurgeResult {
  events: number;
  inbox: number;
  revocations: number;
  endedSessions: number;
  deadLetters: number;
}

const BATCH = 1_000;
/** Bounds one run, so a huge backlog is purged over several runs rather than in one long lock. */
const MAX_BATCHES = 50;

async function inBatches(query: () => { limit(n: number): { executeTakeFirst(): Promise<DeleteResult> } }) {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = Number((await query().limit(BATCH).executeTakeFirst()).numDeletedRows);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

const ago = (ms: number) => sql<Date>`DATE_SUB(NOW(3), INTERVAL ${Math.round(ms) * 1000} MICROSECOND)`;

/**
 * Deletes what has served its purpose: events published to the stream long enough ago (a consumer's dead
 * letter keeps its own copy of the event), processed inbox ids and resolved dead letters past retention
 * (dead and parked ones stay until resolved), and expired revocations and ended sessions.
 */
export async function purgeEventTables(db: AnyDatabase, settings: PurgeSettings): Promise<PurgeResult> {
  const tables = eventTables(db);
  const expired = (table: 'revoked_users' | 'ended_sessions') => () =>
    tables.deleteFrom(table).where('expires_at', '<', sql<Date>`NOW(3)`);
  return {
    events: await inBatches(() =>
      tables
        .deleteFrom('outbox')
        .where('fanned_out_at', 'is not', null)
        .where('created_at', '<', ago(settings.outboxRetentionMs)),
    ),
    inbox: await inBatches(() =>
      tables.deleteFrom('inbox').where('processed_at', '<', ago(settings.inboxRetentionMs)),
    ),
    revocations: await inBatches(expired('revoked_users')),
    endedSessions: await inBatches(expired('ended_sessions')),
    deadLetters: settings.deadLetters
      ? await inBatches(() =>
          tablesOf(db)
            .deleteFrom('inbox_dead_letters')
            .where('status', 'in', ['replayed', 'discarded'])
            .where('updated_at', '<', ago(settings.inboxRetentionMs)),
        )
      : 0,
  };
}
