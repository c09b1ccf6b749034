import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from './totp.js';

/** How many recovery codes an enrolment hands out. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * A recovery code: 80 random bits as 16 base32 characters in groups of four
 * (`abcd-efgh-ijkl-mnop`), easy to copy by hand. 80 bits make guessing hopeless
 * and let a fast hash (SHA-256) be what is stored.
 */
export function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(10)).toLowerCase();
  return text.match(/.{4}/g)?.join('-') ?? text;
}

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, newRecoveryCode);
}

/** What a user types may differ in case, dashes and spaces from what was shown. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`recovery\u0000${normaliseRecoveryCode(code)}`)
    .digest('hex');
}
