import { Forbidden } from '@bonding/kit';
import type { UserRow } from '../db/schema.js';
import type { IdentityDeps } from '../deps.js';
import { signAccessToken } from '../domain/tokens.js';
import { signInBlockedCode } from '../domain/user-status.js';

/** What a completed sign-in (or a refresh) answers: a fresh access token with the session's refresh token. */
export async function tokenPair(deps: IdentityDeps, user: UserRow, sessionId: string, refreshToken: string) {
  const { config } = deps;
  const accessToken = await signAccessToken(
    { userId: user.id, role: user.role, sessionId, emailVerified: user.email_verified_at !== null },
    deps.keys.active,
    {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    },
    deps.now(),
  );
  return {
    accessToken,
    refreshToken,
    tokenType: 'Bearer' as const,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
  };
}

export function assertMaySignIn(user: UserRow): void {
  const blocked = signInBlockedCode(user.status);
  if (blocked) throw new Forbidden(blocked, `This account cannot sign in: it is ${user.status}.`);
}

/** Admins must have a second factor when the platform says so (MFA_REQUIRED_FOR_ADMINS). */
export function mustEnrolSecondFactor(deps: IdentityDeps, user: UserRow, hasTotp: boolean): boolean {
  return deps.config.MFA_REQUIRED_FOR_ADMINS && user.role === 'admin' && !hasTotp;
}

export const enrolmentRequired = () =>
  new Forbidden(
    'mfa_enrolment_required',
    'Administrators must sign in with a second factor. Sign in with your password to get an enrolment token, then enrol an authenticator at /api/v1/auth/mfa/totp.',
  );
