import { createHash, randomBytes } from 'node:crypto';

/** What a code sent by e-mail is good for; each purpose has its own prefix. */
export type OneTimeCodePurpose = 'password_reset' | 'email_verification' | 'email_change';

const PREFIX: Record<OneTimeCodePurpose, string> = {
  password_reset: 'pr',
  email_verification: 'ev',
  email_change: 'ec',
};

/**
 * A one-time code sent by e-mail: 32 random bytes, prefixed by purpose so it
 * can never pass as a refresh token or as a code of another kind. Only its
 * SHA-256 is stored; with 256 bits of entropy a fast hash is safe and guessing
 * is hopeless, so the public routes that take a code need no per-code attempt limit.
 */
export function newOneTimeCode(purpose: OneTimeCodePurpose): string {
  return `${PREFIX[purpose]}_${randomBytes(32).toString('base64url')}`;
}

export function hashOneTimeCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
