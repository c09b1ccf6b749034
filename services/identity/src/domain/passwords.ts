import { type Algorithm, hash, verify } from '@node-rs/argon2';

/** argon2id at OWASP's minimum: 19 MiB, two passes, one lane (~15 ms here). */
export const ARGON2ID_OPTIONS = {
  algorithm: 2 as Algorithm, // Argon2id (the enum is const and cannot be imported under isolatedModules)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, checked when the e-mail is unknown so that an
 * unknown address costs as long as a wrong password and does not reveal itself.
 */
export function createDecoyHash(): Promise<string> {
  return hashPassword(crypto.randomUUID());
}
