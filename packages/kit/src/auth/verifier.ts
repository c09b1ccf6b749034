import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import type { Refusal, TokenDenylist } from './denylist.js';
import { type Principal, ROLES, type Role } from './principal.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHMS = ['RS256'];

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Resolves the verification key from the token header's `kid` (a local or remote JWKS). */
  keys: JWTVerifyGetKey;
  denylist?: TokenDenylist;
  /** Verified tokens kept in memory until they expire. */
  cacheSize?: number;
  clockToleranceSeconds?: number;
  now?: () => number;
}

export class InvalidToken extends Error {
  constructor(
    message: string,
    readonly reason: 'expired' | 'invalid' | Refusal,
  ) {
    super(message);
  }
}

/** The error a denylisted token is refused with, wherever it is checked (a service, the local gateway). */
export function refusedToken(refusal: Refusal): InvalidToken {
  return new InvalidToken(refusal === 'session_ended' ? 'session ended' : 'token revoked', refusal);
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Verifies RS256 access tokens (issuer, audience, expiry, `typ`, key by `kid`)
 * and caches the result until the token expires: a signature check costs about a
 * third of a database read request, and the same token arrives again and again.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience, keys, denylist, cacheSize = 10_000, clockToleranceSeconds = 5 } = options;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Principal>();

  function remember(token: string, principal: Principal): void {
    if (cache.size >= cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(token, principal);
  }

  async function verifySignature(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'role', 'jti', 'iat', 'exp'],
        clockTolerance: clockToleranceSeconds,
        currentDate: new Date(now()),
      });
      const role = payload.role as Role;
      if (!ROLES.includes(role)) throw new InvalidToken('unknown role', 'invalid');
      return {
        userId: payload.sub as string,
        role,
        tokenId: payload.jti as string,
        sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
        emailVerified: payload.email_verified === true,
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
        token,
      };
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new InvalidToken('token expired', 'expired');
      throw new InvalidToken('token invalid', 'invalid');
    }
  }

  return {
    async verify(token) {
      let principal = cache.get(token);
      const nowSeconds = Math.floor(now() / 1000);
      if (principal && principal.expiresAt + clockToleranceSeconds <= nowSeconds) {
        cache.delete(token);
        principal = undefined;
      }
      if (!principal) {
        principal = await verifySignature(token);
        remember(token, principal);
      }
      const refusal = denylist?.refusal(principal);
      if (refusal) throw refusedToken(refusal);
      return principal;
    },
  };
}
