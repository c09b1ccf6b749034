import { type FieldCipher, ServiceUnavailable } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { verifyTotp } from '../domain/totp.js';
import type { IdentityDatabase } from './schema.js';
import { claimTotpStep, findTotp, spendRecoveryCode } from './totp.js';

/** What a user presents as their second factor: a code from the authenticator, or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

export type SecondFactorOutcome =
  | { ok: true; method: 'totp' | 'recovery_code' }
  | { ok: false; reason: 'wrong_code' | 'replayed_code' };

export function requireCipher(cipher: FieldCipher | undefined): FieldCipher {
  if (!cipher) {
    throw new ServiceUnavailable(
      'mfa_unavailable',
      'Two-factor sign-in is not configured on this server (FIELD_ENCRYPTION_KEYS).',
    );
  }
  return cipher;
}

/** The authenticator's secret, opened from its sealed form. */
export function openSecret(cipher: FieldCipher | undefined, sealed: string): Buffer {
  return Buffer.from(requireCipher(cipher).open(sealed), 'base64');
}

/**
 * Checks a second factor of a user with an active authenticator, spending it:
 * a TOTP code's time step is taken (never accepted twice), a recovery code is
 * used up. Run it in the transaction that acts on the outcome.
 */
export async function checkSecondFactor(
  db: Kysely<IdentityDatabase>,
  cipher: FieldCipher | undefined,
  userId: string,
  proof: SecondFactorProof,
  now: Date,
): Promise<SecondFactorOutcome> {
  if ('recoveryCode' in proof) {
    return (await spendRecoveryCode(db, userId, proof.recoveryCode, now))
      ? { ok: true, method: 'recovery_code' }
      : { ok: false, reason: 'wrong_code' };
  }
  const totp = await findTotp(db, userId);
  if (!totp?.confirmed_at) return { ok: false, reason: 'wrong_code' };
  const step = verifyTotp(openSecret(cipher, totp.secret_sealed), proof.code, now);
  if (step === undefined) return { ok: false, reason: 'wrong_code' };
  return (await claimTotpStep(db, userId, step))
    ? { ok: true, method: 'totp' }
    : { ok: false, reason: 'replayed_code' };
}
