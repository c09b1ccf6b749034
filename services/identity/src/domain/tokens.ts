import { createHash, randomBytes } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, type Role, uuidv7 } from '@bonding/kit';
import { type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from './signing-keys.js';

export interface AccessTokenClaims {
  userId: string;
  role: Role;
  sessionId: string;
  /** Carried as `email_verified`; services refuse money moves and loan applications without it. */
  emailVerified: boolean;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** RS256, short-lived, `kid` in the header so the edge and services pick the right key. */
export function signAccessToken(
  claims: AccessTokenClaims,
  key: SigningKey,
  settings: TokenSettings,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: claims.role, sid: claims.sessionId, email_verified: claims.emailVerified })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.userId)
    .setJti(uuidv7(now.getTime()))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + settings.ttlSeconds)
    .sign(key.privateKey);
}

/**
 * The `typ` of the token an admin gets when two-factor sign-in is required and
 * they have no authenticator yet. Every service's verifier accepts only
 * `at+jwt`, so this token opens nothing but identity's enrolment routes.
 */
export const ENROLMENT_TOKEN_TYPE = 'mfa-enrolment+jwt';

export function signEnrolmentToken(
  claims: { userId: string; role: Role },
  key: SigningKey,
  settings: TokenSettings,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: claims.role, scope: 'mfa_enrolment' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: ENROLMENT_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.userId)
    .setJti(uuidv7(now.getTime()))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + settings.ttlSeconds)
    .sign(key.privateKey);
}

/** The user an enrolment token was issued to, or undefined when it is not a valid one. */
export async function verifyEnrolmentToken(
  token: string,
  keys: JWTVerifyGetKey,
  settings: Omit<TokenSettings, 'ttlSeconds'>,
  now: Date,
): Promise<{ userId: string; issuedAt: number } | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['RS256'],
      typ: ENROLMENT_TOKEN_TYPE,
      requiredClaims: ['sub', 'iat', 'exp'],
      currentDate: now,
    });
    if (payload.scope !== 'mfa_enrolment') return undefined;
    return { userId: payload.sub as string, issuedAt: payload.iat as number };
  } catch {
    return undefined;
  }
}

/** Refresh tokens are opaque random strings, so they can never pass as access tokens. */
export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
