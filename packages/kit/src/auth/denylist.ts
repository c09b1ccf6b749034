import type { Principal } from './principal.js';

/** Why a token that verified is refused all the same. */
export type Refusal = 'revoked' | 'session_ended';

/**
 * What a refusal is decided on: whose token, issued when, for which session. Narrower than a Principal
 * so that the local gateway, which checks a token's claims without the kit's verifier, asks the same list.
 */
export type TokenSubject = Pick<Principal, 'userId' | 'issuedAt' | 'sessionId'>;

/**
 * Decides whether a token that verified is still refused, e.g. because its user
 * was disabled or its session ended after it was issued. Consulted on every request, after the cache.
 */
export interface TokenDenylist {
  refusal(subject: TokenSubject): Refusal | undefined;
}

/**
 * Refuses a user's tokens issued at or before the moment their access was revoked (user.disabled), and
 * every token of an ended session (session.ended, by the token's `sid`). Both are kept only until every
 * token they refuse has expired, so the lists hold the last hour's changes, not history.
 */
export class UserRevocationList implements TokenDenylist {
  readonly #revokedAt = new Map<string, number>();
  /** Ended session id → when it ended (seconds). */
  readonly #endedSessions = new Map<string, number>();

  /** `at` in seconds since the epoch; tokens with `iat` ≤ `at` are refused. */
  revokeTokensIssuedBefore(userId: string, at: number): void {
    const current = this.#revokedAt.get(userId) ?? 0;
    this.#revokedAt.set(userId, Math.max(current, at));
  }

  /** Refuses every token of these sessions; `at` in seconds since the epoch. */
  endSessions(sessionIds: readonly string[], at: number): void {
    for (const id of sessionIds) if (!this.#endedSessions.has(id)) this.#endedSessions.set(id, at);
  }

  /** Drops entries at or before `cutoff` (seconds): every token they refuse has expired by now. */
  forgetRevokedBefore(cutoff: number): void {
    for (const [userId, at] of this.#revokedAt) if (at <= cutoff) this.#revokedAt.delete(userId);
    for (const [id, at] of this.#endedSessions) if (at <= cutoff) this.#endedSessions.delete(id);
  }

  /** How many entries are held (users revoked, sessions ended): for tests and metrics. */
  get size(): { users: number; sessions: number } {
    return { users: this.#revokedAt.size, sessions: this.#endedSessions.size };
  }

  /** A disabled user's token says so first: that its session ended too is the lesser news. */
  refusal(subject: TokenSubject): Refusal | undefined {
    const revokedAt = this.#revokedAt.get(subject.userId);
    if (revokedAt !== undefined && subject.issuedAt <= revokedAt) return 'revoked';
    const ended = subject.sessionId !== undefined && this.#endedSessions.has(subject.sessionId);
    return ended ? 'session_ended' : undefined;
  }

  isRevoked(subject: TokenSubject): boolean {
    return this.refusal(subject) !== undefined;
  }
}
