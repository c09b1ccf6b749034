import { type Kysely, sql } from 'kysely';
import { hashRecoveryCode } from '../domain/recovery-codes.js';
import type { IdentityDatabase } from './schema.js';

type Db = Kysely<IdentityDatabase>;

export function findTotp(db: Db, userId: string) {
  return db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Whether the user signs in with a second factor (an authenticator confirmed by its first code). */
export async function hasActiveTotp(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('totp_credentials')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Starts (or restarts) an enrolment: a new secret replaces an unconfirmed one, never a confirmed one. */
export async function savePendingTotp(db: Db, userId: string, secretSealed: string, now: Date) {
  await db
    .insertInto('totp_credentials')
    .values({
      user_id: userId,
      secret_sealed: secretSealed,
      created_at: now,
      confirmed_at: null,
      last_used_step: null,
    })
    .onDuplicateKeyUpdate({
      secret_sealed: sql`IF(confirmed_at IS NULL, VALUES(secret_sealed), secret_sealed)`,
      created_at: sql`IF(confirmed_at IS NULL, VALUES(created_at), created_at)`,
    })
    .execute();
}

/** Activates a pending authenticator with the step of its first code; false if it was already active. */
export async function confirmTotp(db: Db, userId: string, step: bigint, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('totp_credentials')
    .set({ confirmed_at: now, last_used_step: step.toString() })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records that a code of `step` was used. Only a step later than the last one
 * used is taken, so a code (or an earlier one) never works twice: false means replay.
 */
export async function claimTotpStep(db: Db, userId: string, step: bigint): Promise<boolean> {
  const result = await db
    .updateTable('totp_credentials')
    .set({ last_used_step: step.toString() })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step.toString())]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes the authenticator and the recovery codes that went with it. */
export async function deleteTotp(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** Replaces the user's recovery codes with new ones (stored hashed). */
export async function replaceRecoveryCodes(db: Db, userId: string, codes: string[], now: Date) {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(codes.map((code) => ({ code_hash: hashRecoveryCode(code), user_id: userId, created_at: now })))
    .execute();
}

/** Spends one of the user's unused recovery codes; false when it is not one (or was used). */
export async function spendRecoveryCode(db: Db, userId: string, code: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const { left } = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('left'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(left);
}
