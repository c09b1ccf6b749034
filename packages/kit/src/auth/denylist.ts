import type { Principal } from './principal.js';

/**
 * Decides whether a token that verified is still refused, e.g. because its user
 * was disabled after it was issued. Consulted on every request, after the cache.
 */
export interface TokenDenylist {
  isRevoked(principal: Principal): boolean;
}

/** Refuses a user's tokens issued at or before the moment their access was revoked. */
export class UserRevocationList implements TokenDenylist {
  readonly #revokedAt = new Map<string, number>();

  /** `at` in seconds since the epoch; tokens with `iat` ≤ `at` are refused. */
  revokeTokensIssuedBefore(userId: string, at: number): void {
    const current = this.#revokedAt.get(userId) ?? 0;
    this.#revokedAt.set(userId, Math.max(current, at));
  }

  /** Drops revocations at or before `cutoff` (seconds): every token they refuse has expired by now. */
  forgetRevokedBefore(cutoff: number): void {
    for (const [userId, at] of this.#revokedAt) if (at <= cutoff) this.#revokedAt.delete(userId);
  }

  isRevoked(principal: Principal): boolean {
    const revokedAt = this.#revokedAt.get(principal.userId);
    return revokedAt !== undefined && principal.issuedAt <= revokedAt;
  }
}
