import { createHash, randomBytes } from 'node:crypto';

/**
 * The token of a two-factor sign-in's second step: opaque, 256 random bits,
 * prefixed so it can never pass for a refresh token or an e-mailed code. Only
 * its SHA-256 is stored.
 */
export function newChallengeToken(): string {
  return `mc_${randomBytes(32).toString('base64url')}`;
}

export function hashChallengeToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
