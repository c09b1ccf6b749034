import { emitEvent } from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import { hashOneTimeCode, newOneTimeCode, type OneTimeCodePurpose } from '../domain/one-time-codes.js';
import type { IdentityDatabase } from './schema.js';

type Db = Kysely<IdentityDatabase>;

/**
 * Stores a new code (hashed) for a purpose and retires the user's earlier
 * unused codes for it: only the newest code works.
 */
export async function storeOneTimeCode(
  db: Db,
  purpose: OneTimeCodePurpose,
  userId: string,
  code: string,
  now: Date,
  expiresAt: Date,
  newEmail: string | null = null,
): Promise<void> {
  await db
    .updateTable('one_time_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('one_time_codes')
    .values({
      code_hash: hashOneTimeCode(code),
      purpose,
      user_id: userId,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
      new_email: newEmail,
    })
    .execute();
}

/**
 * Spends the caller's e-mail change code, like spendOneTimeCode, and answers
 * the address it confirms; undefined when it is not a live code of this user.
 */
export async function spendEmailChangeCode(
  db: Db,
  userId: string,
  code: string,
  now: Date,
): Promise<string | undefined> {
  const row = await lockLiveCode(db, 'email_change', code, now);
  // Another user's code stays unspent: only its owner may use it.
  if (!row || row.user_id !== userId || !row.new_email) return undefined;
  await markUsed(db, row.code_hash, now);
  return row.new_email;
}

/** Retires the user's unused codes of these purposes (they were mailed to an address no longer theirs). */
export async function retireOneTimeCodes(
  db: Db,
  userId: string,
  purposes: OneTimeCodePurpose[],
  now: Date,
): Promise<void> {
  await db
    .updateTable('one_time_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .execute();
}

/**
 * Spends a code: answers its user when the code is known, meant for this
 * purpose, unused and not expired, and marks it used in the caller's
 * transaction; otherwise undefined (the caller answers alike for every case).
 */
export async function spendOneTimeCode(
  db: Db,
  purpose: OneTimeCodePurpose,
  code: string,
  now: Date,
): Promise<string | undefined> {
  const row = await lockLiveCode(db, purpose, code, now);
  if (!row) return undefined;
  await markUsed(db, row.code_hash, now);
  return row.user_id;
}

/** The code's row when it is known, meant for this purpose, unused and not expired; locked for the caller. */
async function lockLiveCode(db: Db, purpose: OneTimeCodePurpose, code: string, now: Date) {
  const row = await db
    .selectFrom('one_time_codes')
    .select(['code_hash', 'user_id', 'purpose', 'used_at', 'expires_at', 'new_email'])
    .where('code_hash', '=', hashOneTimeCode(code))
    .forUpdate()
    .executeTakeFirst();
  return row && row.purpose === purpose && row.used_at === null && row.expires_at > now ? row : undefined;
}

function markUsed(db: Db, codeHash: string, now: Date) {
  return db.updateTable('one_time_codes').set({ used_at: now }).where('code_hash', '=', codeHash).execute();
}

/**
 * Issues a fresh e-mail verification code for the user and hands it to
 * notifications (`user.emailVerificationRequested`), in the caller's transaction.
 */
export async function issueEmailVerification(
  trx: Transaction<IdentityDatabase>,
  userId: string,
  now: Date,
  ttlSeconds: number,
): Promise<void> {
  const code = newOneTimeCode('email_verification');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await storeOneTimeCode(trx, 'email_verification', userId, code, now, expiresAt);
  await emitEvent(
    trx,
    {
      type: 'user.emailVerificationRequested',
      version: 1,
      data: { userId, verificationCode: code, expiresAt: expiresAt.toISOString() },
    },
    { now },
  );
}
