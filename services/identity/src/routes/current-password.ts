import { Forbidden, TooManyRequests } from '@bonding/kit';
import { clearFailures, recordFailure, secondsLocked } from '../db/login-throttle.js';
import type { UserRow } from '../db/schema.js';
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
