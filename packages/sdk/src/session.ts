// The signed-in session's tokens, and their refresh. Identity rotates the refresh token on every use and
// treats a token presented twice as stolen, ending the whole family: so at most one refresh is ever in
// flight, and every request that met a 401 meanwhile waits for that one and retries with its result.
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Sends POST /auth/refresh; answers the new pair, 'ended' when identity refused the refresh token (the
 * session is over), or 'unavailable' when it could not be asked (the tokens may still be good).
 */
export type Refresh = (refreshToken: string) => Promise<Tokens | 'ended' | 'unavailable'>;

export class Session {
  #tokens: Tokens | undefined;
  #refreshing: Promise<boolean> | undefined;
  readonly #refresh: Refresh;

  constructor(refresh: Refresh) {
    this.#refresh = refresh;
  }

  get tokens(): Tokens | undefined {
    return this.#tokens;
  }

  set(tokens: Tokens | undefined) {
    this.#tokens = tokens
      ? { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }
      : undefined;
  }

  /**
   * Replaces `staleAccessToken` (the one a request was refused with) by a fresh one; true when a retry is
   * worth it. A request that was refused after another already refreshed retries at once, with no refresh
   * of its own (that would spend the new refresh token for nothing).
   */
  renew(staleAccessToken: string): Promise<boolean> {
    const current = this.#tokens;
    if (!current) return Promise.resolve(false);
    if (current.accessToken !== staleAccessToken) return Promise.resolve(true);
    this.#refreshing ??= this.#refresh(current.refreshToken)
      .then((fresh) => {
        if (fresh === 'unavailable') return false;
        this.set(fresh === 'ended' ? undefined : fresh);
        return fresh !== 'ended';
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }
}
