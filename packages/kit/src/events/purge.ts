import { sql } from 'kysely';
import { type AnyDatabase, eventTables } from './tables.js';

export interface PurgeSettings {
  /** Events published to the stream longer ago than this go. */
  outboxRetentionMs: number;
  /** Processed event ids older than this go; keep it longer than any producer retries or replays. */
  inboxRetentionMs: number;
}

export interface PurgeResult {
  events: number;
  inbox: number;
  revocations: number;
  endedSessions: number;
}

const BATCH = 1_000;
/** Bounds one run, so a huge backlog is purged over several runs rather than in one long lock. */
const MAX_BATCHES = 50;

async function inBatches(deleteBatch: () => Promise<bigint>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = Number(await deleteBatch());
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

const ago = (ms: number) => sql<Date>`DATE_SUB(NOW(3), INTERVAL ${Math.round(ms) * 1000} MICROSECOND)`;

/**
 * Deletes what has served its purpose: events published to the stream long enough ago (a consumer's dead
 * letter keeps its own copy of the event), processed inbox ids past retention, and expired revocations
 * and ended sessions.
 */
export async function purgeEventTables(db: AnyDatabase, settings: PurgeSettings): Promise<PurgeResult> {
  const tables = eventTables(db);
  const events = await inBatches(async () => {
    const result = await tables
      .deleteFrom('outbox')
      .where('fanned_out_at', 'is not', null)
      .where('created_at', '<', ago(settings.outboxRetentionMs))
      .limit(BATCH)
      .executeTakeFirst();
    return result.numDeletedRows;
  });
  const inbox = await inBatches(async () => {
    const result = await tables
      .deleteFrom('inbox')
      .where('processed_at', '<', ago(settings.inboxRetentionMs))
      .limit(BATCH)
      .executeTakeFirst();
    return result.numDeletedRows;
  });
  const expired = (table: 'revoked_users' | 'ended_sessions') =>
    inBatches(async () => {
      const result = await tables
        .deleteFrom(table)
        .where('expires_at', '<', sql<Date>`NOW(3)`)
        .limit(BATCH)
        .executeTakeFirst();
      return result.numDeletedRows;
    });
  const revocations = await expired('revoked_users');
  const endedSessions = await expired('ended_sessions');
  return { events, inbox, revocations, endedSessions };
}
