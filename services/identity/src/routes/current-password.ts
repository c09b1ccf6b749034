import { Forbidden, TooManyRequests } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { writeAudit } from '../db/audit.js';
import { clearFailures, recordFailure, secondsLocked } from '../db/login-throttle.js';
import type { IdentityDatabase, UserRow } from '../db/schema.js';
import { checkSecondFactor, type SecondFactorProof } from '../db/second-factor.js';
import type { IdentityDeps } from '../deps.js';
import { verifyPassword } from '../domain/passwords.js';

export function signInThrottle(deps: IdentityDeps) {
  return {
    maxFailures: deps.config.LOGIN_MAX_FAILURES,
    windowSeconds: deps.config.LOGIN_FAILURE_WINDOW_SECONDS,
    lockoutSeconds: deps.config.LOGIN_LOCKOUT_SECONDS,
  };
}

/** The answer while an account's sign-in is locked out, for `seconds` more. */
export function lockedOut(seconds: number) {
  return new TooManyRequests('login_locked', 'Too many failed sign-ins; try again later.', {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** 429 while the account's sign-in is locked out. */
export async function assertNotLocked(deps: IdentityDeps, user: UserRow, now: Date): Promise<void> {
  const locked = await secondsLocked(deps.db, user.email, now);
  if (locked > 0) throw lockedOut(locked);
}

/**
 * Checks the password a signed-in user re-enters to confirm a sensitive change.
 * Wrong ones count as failed sign-ins of the account: a stolen access token
 * cannot be used to guess the password faster than the login form allows.
 * `clear`: forget earlier failures when it is right (false when a second factor is still to check).
 */
export async function assertCurrentPassword(
  deps: IdentityDeps,
  user: UserRow,
  password: string,
  now: Date,
  { clear = true } = {},
): Promise<void> {
  await assertNotLocked(deps, user, now);
  if (!(await verifyPassword(user.password_hash, password))) {
    await recordFailure(deps.db, user.email, now, signInThrottle(deps));
    throw new Forbidden('current_password_wrong', 'The current password is wrong.');
  }
  if (clear) await clearFailures(deps.db, user.email);
}

/**
 * Checks and spends a second factor in `trx` (the transaction that acts on the outcome). A wrong or
 * replayed code counts as a failed sign-in of the account and is audited, like a wrong password.
 */
export async function checkSecondFactorCounted(
  trx: Kysely<IdentityDatabase>,
  deps: IdentityDeps,
  user: Pick<UserRow, 'id' | 'email'>,
  proof: SecondFactorProof,
  now: Date,
) {
  const checked = await checkSecondFactor(trx, deps.totpCipher, user.id, proof, now);
  if (!checked.ok) {
    await recordFailure(trx, user.email, now, signInThrottle(deps));
    await writeAudit(
      trx,
      { actorId: user.id, action: 'user.mfa_failed', targetId: user.id, details: { reason: checked.reason } },
      now,
    );
  }
  return checked;
}
