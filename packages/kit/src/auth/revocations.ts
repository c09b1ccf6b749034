import { sql } from 'kysely';
import type { Logger } from 'pino';
import { type AnyDatabase, type AnyTransaction, eventTables } from '../events/tables.js';
import { type PeriodicTask, runPeriodically } from '../periodic.js';
import { runUntraced } from '../tracing/untraced.js';
import type { UserRevocationList } from './denylist.js';

/**
 * The token denylist's persistence: user.disabled and session.ended (consumed by every service, and
 * written by identity itself) kept in the service's database, so a restarted replica and every other one
 * refuse the same tokens as the replica that took the event.
 */

/**
 * How long a revocation is remembered: longer than any access token lives
 * (identity caps ACCESS_TOKEN_TTL_SECONDS at one hour), plus clock tolerance.
 * After that, every token it refuses has expired anyway.
 */
export const REVOCATION_RETENTION_SECONDS = 3600 + 300;

const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Persists "refuse this user's tokens issued at or before `revokedBefore`" in
 * the caller's transaction. Persisted, not only in memory: a restarted
 * service still refuses them, and every replica picks them up (RevocationSync),
 * not just the one that received the event.
 */
export async function recordRevocation(
  trx: AnyTransaction,
  userId: string,
  revokedBefore: Date,
  retentionSeconds = REVOCATION_RETENTION_SECONDS,
): Promise<void> {
  const expiresAt = new Date(revokedBefore.getTime() + retentionSeconds * 1000);
  await eventTables(trx)
    .insertInto('revoked_users')
    .values({ user_id: userId, revoked_before: revokedBefore, expires_at: expiresAt, updated_at: new Date() })
    .onDuplicateKeyUpdate({
      revoked_before: sql<Date>`GREATEST(revoked_before, ${revokedBefore})`,
      expires_at: sql<Date>`GREATEST(expires_at, ${expiresAt})`,
      updated_at: new Date(),
    })
    .execute();
}

/**
 * Persists "refuse every token of these sessions" in the caller's transaction (session.ended), as
 * recordRevocation does for a user; a session already recorded keeps its first end.
 */
export async function recordEndedSessions(
  trx: AnyTransaction,
  userId: string,
  sessionIds: readonly string[],
  endedAt: Date,
  retentionSeconds = REVOCATION_RETENTION_SECONDS,
): Promise<void> {
  if (sessionIds.length === 0) return;
  const expiresAt = new Date(endedAt.getTime() + retentionSeconds * 1000);
  await eventTables(trx)
    .insertInto('ended_sessions')
    .values(
      sessionIds.map((id) => ({ session_id: id, user_id: userId, ended_at: endedAt, expires_at: expiresAt })),
    )
    .onDuplicateKeyUpdate({ session_id: sql<string>`session_id` })
    .execute();
}

/** Copies the persisted revocations and ended sessions still in force into the in-memory list. */
export async function loadRevocations(db: AnyDatabase, list: UserRevocationList): Promise<number> {
  const tables = eventTables(db);
  const users = await tables
    .selectFrom('revoked_users')
    .select(['user_id', 'revoked_before'])
    .where('expires_at', '>', sql<Date>`NOW(3)`)
    .execute();
  for (const row of users) list.revokeTokensIssuedBefore(row.user_id, toSeconds(row.revoked_before));
  const sessions = await tables
    .selectFrom('ended_sessions')
    .select(['session_id', 'ended_at'])
    .where('expires_at', '>', sql<Date>`NOW(3)`)
    .execute();
  for (const row of sessions) list.endSessions([row.session_id], toSeconds(row.ended_at));
  return users.length + sessions.length;
}

/**
 * Keeps a replica's in-memory revocation list in step with the tables: loaded before the service takes
 * traffic, then re-read about every interval, so a user disabled through another replica is refused here
 * within seconds. The tables hold only the last hour's disables and ended sessions: a full re-read is cheap.
 */
export async function syncRevocations(
  db: AnyDatabase,
  list: UserRevocationList,
  logger: Logger,
  intervalMs: number,
): Promise<PeriodicTask> {
  let failing = false;
  const refresh = async () => {
    try {
      await loadRevocations(db, list);
      list.forgetRevokedBefore(Math.floor(Date.now() / 1000) - REVOCATION_RETENTION_SECONDS);
      if (failing) logger.info('token revocations readable again');
      failing = false;
    } catch (error) {
      // Once per outage: the next interval retries.
      if (!failing) logger.error({ err: error }, 'could not read token revocations; will retry');
      failing = true;
    }
  };
  await refresh();
  return runPeriodically('sync token revocations', intervalMs, () => runUntraced(refresh), logger);
}
