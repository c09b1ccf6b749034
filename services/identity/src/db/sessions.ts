import { MAX_SESSIONS_PER_EVENT, type SessionEndReason } from '@bonding/contracts';
import {
  emitEvent,
  REVOCATION_RETENTION_SECONDS,
  recordEndedSessions,
  Unauthorized,
  type UserRevocationList,
  uuidv7,
} from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import { hashRefreshToken, newRefreshToken } from '../domain/tokens.js';
import type { IdentityDatabase } from './schema.js';

type Db = Kysely<IdentityDatabase>;
type Trx = Transaction<IdentityDatabase>;

export interface IssuedRefreshToken {
  refreshToken: string;
  sessionId: string;
}

/** Starts a sign-in session (a refresh-token family) with its first refresh token. */
export async function startSession(
  db: Db,
  userId: string,
  userAgent: string | undefined,
  now: Date,
  ttlSeconds: number,
): Promise<IssuedRefreshToken> {
  const sessionId = uuidv7(now.getTime());
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const refreshToken = newRefreshToken();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('refresh_families')
      .values({
        id: sessionId,
        user_id: userId,
        created_at: now,
        last_used_at: now,
        expires_at: expiresAt,
        revoked_at: null,
        revoked_reason: null,
        user_agent: userAgent?.slice(0, 255) ?? null,
      })
      .execute();
    await trx
      .insertInto('refresh_tokens')
      .values({
        token_hash: hashRefreshToken(refreshToken),
        family_id: sessionId,
        user_id: userId,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
  });
  return { refreshToken, sessionId };
}

const invalidRefresh = () =>
  new Unauthorized('invalid_refresh_token', 'The refresh token is invalid or expired.');

/**
 * Spends a refresh token and issues its successor in the same family. A token
 * presented a second time means it leaked: the whole family is revoked.
 */
export async function rotateRefreshToken(
  db: Db,
  presented: string,
  now: Date,
  revocations: UserRevocationList,
): Promise<{ userId: string; sessionId: string; refreshToken: string }> {
  const tokenHash = hashRefreshToken(presented);
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_families as f', 'f.id', 't.family_id')
      .select(['t.family_id', 't.user_id', 't.used_at', 'f.revoked_at', 'f.expires_at'])
      .where('t.token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at <= now) return { kind: 'invalid' as const };
    if (row.used_at !== null) {
      const ended = await endSessions(
        trx,
        { userId: row.user_id, only: row.family_id },
        'reuse_detected',
        now,
      );
      return { kind: 'reused' as const, ended };
    }
    await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .execute();
    const refreshToken = newRefreshToken();
    await trx
      .insertInto('refresh_tokens')
      .values({
        token_hash: hashRefreshToken(refreshToken),
        family_id: row.family_id,
        user_id: row.user_id,
        created_at: now,
        expires_at: row.expires_at,
        used_at: null,
      })
      .execute();
    await trx
      .updateTable('refresh_families')
      .set({ last_used_at: now })
      .where('id', '=', row.family_id)
      .execute();
    return { kind: 'rotated' as const, userId: row.user_id, sessionId: row.family_id, refreshToken };
  });
  if (outcome.kind === 'invalid') throw invalidRefresh();
  if (outcome.kind === 'reused') {
    refuseEndedSessions(revocations, outcome.ended, now);
    throw new Unauthorized(
      'refresh_token_reused',
      'This refresh token was already used; the session has been revoked. Sign in again.',
    );
  }
  return outcome;
}

/** Which of a user's sessions to end: one, all but one (the caller's own), or all. */
export interface SessionSelection {
  userId: string;
  only?: string;
  except?: string | undefined;
}

/**
 * Ends the selected sessions that are not ended yet, in the caller's transaction, and announces them:
 * recorded in identity's own ended-session table (its replicas refuse their tokens within a sync
 * interval; the caller applies them to this replica's denylist once committed, refuseEndedSessions) and
 * emitted as session.ended@1 for every other service. A family whose refresh tokens expired longer ago
 * than any access token lives has no token left to refuse, so it is not announced. Answers the ended ids.
 */
export async function endSessions(
  trx: Trx,
  selection: SessionSelection,
  reason: SessionEndReason,
  now: Date,
): Promise<string[]> {
  let query = trx
    .selectFrom('refresh_families')
    .select('id')
    .where('user_id', '=', selection.userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date(now.getTime() - REVOCATION_RETENTION_SECONDS * 1000));
  if (selection.only) query = query.where('id', '=', selection.only);
  if (selection.except) query = query.where('id', '<>', selection.except);
  const ids = (await query.forUpdate().execute()).map((row) => row.id);
  if (ids.length === 0) return [];
  await trx
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', 'in', ids)
    .execute();
  await recordEndedSessions(trx, selection.userId, ids, now);
  for (let i = 0; i < ids.length; i += MAX_SESSIONS_PER_EVENT) {
    const sessionIds = ids.slice(i, i + MAX_SESSIONS_PER_EVENT);
    await emitEvent(
      trx,
      {
        type: 'session.ended',
        version: 1,
        data: { userId: selection.userId, sessionIds, endedAt: now.toISOString(), reason },
      },
      { now },
    );
  }
  return ids;
}

/** Refuses the ended sessions' tokens on this replica at once (after their transaction committed). */
export function refuseEndedSessions(
  revocations: UserRevocationList,
  ids: readonly string[],
  now: Date,
): void {
  revocations.endSessions(ids, Math.floor(now.getTime() / 1000));
}

/** The user's sessions still in force (not revoked, not expired), most recently used first. */
export function listActiveSessions(db: Db, userId: string, now: Date) {
  return db
    .selectFrom('refresh_families')
    .select(['id', 'user_agent', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .orderBy('id', 'desc')
    .limit(MAX_LISTED_SESSIONS)
    .execute();
}

/** Sessions live at most REFRESH_TOKEN_TTL; a list longer than this is cut (a user has a handful). */
export const MAX_LISTED_SESSIONS = 100;

/**
 * Ends one active session of the user; empty when the user has no such active session (another user's id
 * included), so the caller answers 404 alike.
 */
export async function revokeOwnSession(
  trx: Trx,
  userId: string,
  sessionId: string,
  reason: SessionEndReason,
  now: Date,
) {
  const active = await trx
    .selectFrom('refresh_families')
    .select('id')
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return active ? endSessions(trx, { userId, only: sessionId }, reason, now) : [];
}
