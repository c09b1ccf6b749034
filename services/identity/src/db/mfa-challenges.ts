import type { Kysely } from 'kysely';
import { hashChallengeToken, newChallengeToken } from '../domain/mfa-challenges.js';
import type { IdentityDatabase } from './schema.js';

type Db = Kysely<IdentityDatabase>;

/** Opens the second step of a sign-in whose password was right; answers the token to present with the code. */
export async function openChallenge(
  db: Db,
  userId: string,
  userAgent: string | undefined,
  now: Date,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newChallengeToken();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  // Expired challenges are purged along the way, so the table stays small without a sweeper.
  await db.deleteFrom('mfa_challenges').where('expires_at', '<=', now).execute();
  await db
    .insertInto('mfa_challenges')
    .values({
      token_hash: hashChallengeToken(token),
      user_id: userId,
      user_agent: userAgent?.slice(0, 255) ?? null,
      created_at: now,
      expires_at: expiresAt,
      attempts: 0,
      used_at: null,
    })
    .execute();
  return { token, expiresAt };
}

/**
 * The live challenge for a token, locked for the rest of the caller's
 * transaction: not spent, not expired, attempts left. Undefined otherwise.
 */
export async function lockLiveChallenge(db: Db, token: string, now: Date, maxAttempts: number) {
  const row = await db
    .selectFrom('mfa_challenges')
    .selectAll()
    .where('token_hash', '=', hashChallengeToken(token))
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at <= now || row.attempts >= maxAttempts) return undefined;
  return row;
}

export async function countChallengeFailure(db: Db, tokenHash: string): Promise<void> {
  await db
    .updateTable('mfa_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', tokenHash)
    .execute();
}

export async function spendChallenge(db: Db, tokenHash: string, now: Date): Promise<void> {
  await db.updateTable('mfa_challenges').set({ used_at: now }).where('token_hash', '=', tokenHash).execute();
}
