import { type Principal, Unauthorized } from '@bonding/kit';
import type { MiddlewareHandler } from 'hono';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { getUser } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { publicJwks } from '../domain/signing-keys.js';
import { ENROLMENT_TOKEN_TYPE, verifyEnrolmentToken } from '../domain/tokens.js';
import { assertMaySignIn } from './sign-in.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * For the two enrolment routes only: a normal access token, or the
 * enrolment-only token an admin gets when two-factor sign-in is required and
 * they have no authenticator yet. The latter gives a principal without a
 * session; no other route (and no other service) accepts that token, because
 * their verifiers insist on `typ: at+jwt`.
 */
export function signedInOrEnrolling(deps: IdentityDeps): MiddlewareHandler {
  const accessToken = deps.guards.require();
  const keys = createLocalJWKSet(publicJwks(deps.keys));
  return async (c, next) => {
    const token = BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!token || typeOf(token) !== ENROLMENT_TOKEN_TYPE) return accessToken(c, next);
    const now = deps.now();
    const claims = await verifyEnrolmentToken(
      token,
      keys,
      { issuer: deps.config.JWT_ISSUER, audience: deps.config.JWT_AUDIENCE },
      now,
    );
    if (!claims) {
      throw new Unauthorized('invalid_token', 'The enrolment token is invalid or expired.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const user = await getUser(deps.db, claims.userId);
    // A user disabled since the token was issued cannot use it either.
    assertMaySignIn(user);
    const principal: Principal = {
      userId: user.id,
      role: user.role,
      tokenId: `enrolment:${claims.issuedAt}`,
      sessionId: undefined,
      emailVerified: user.email_verified_at !== null,
      issuedAt: claims.issuedAt,
      expiresAt: claims.issuedAt + deps.config.MFA_ENROLMENT_TOKEN_TTL_SECONDS,
      token,
    };
    c.set('principal', principal);
    await next();
  };
}

function typeOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).typ;
  } catch {
    return undefined;
  }
}
