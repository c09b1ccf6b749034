import { Unauthorized, uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { hashRefreshToken, newRefreshToken } from '../domain/tokens.js';
import type { IdentityDatabase } from './schema.js';

type Db = Kysely<IdentityDatabase>;

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
      await revokeFamilyIn(trx, row.family_id, 'reuse_detected', now);
      return { kind: 'reused' as const };
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
    throw new Unauthorized(
      'refresh_token_reused',
      'This refresh token was already used; the session has been revoked. Sign in again.',
    );
  }
  return outcome;
}

async function revokeFamilyIn(db: Db, familyId: string, reason: string, now: Date): Promise<void> {
  await db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends one session of a user (logout). */
export async function revokeSession(db: Db, userId: string, sessionId: string, reason: string, now: Date) {
  await db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every session of a user (disable, and later password changes). */
export async function revokeAllSessions(db: Db, userId: string, reason: string, now: Date): Promise<void> {
  await db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
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
 * Ends one active session of the user; false when the user has no such active
 * session (another user's id included), so the caller answers 404 alike.
 */
export async function revokeOwnSession(
  db: Db,
  userId: string,
  sessionId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every session of the user but `keepSessionId` (the caller's own); answers how many ended. */
export async function revokeOtherSessions(
  db: Db,
  userId: string,
  keepSessionId: string | undefined,
  reason: string,
  now: Date,
): Promise<number> {
  let query = db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepSessionId) query = query.where('id', '<>', keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
