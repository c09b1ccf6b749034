import { createRouter, emitEvent, jsonBody, problemResponses, Unauthorized } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAudit } from '../db/audit.js';
import { clearFailures, secondsLocked } from '../db/login-throttle.js';
import { countChallengeFailure, lockLiveChallenge, spendChallenge } from '../db/mfa-challenges.js';
import { startSession } from '../db/sessions.js';
import { recoveryCodesLeft } from '../db/totp.js';
import { getUser } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { twoFactorChanged } from '../domain/user-events.js';
import { checkSecondFactorCounted, lockedOut } from './current-password.js';
import { TokenPairSchema } from './schemas.js';
import { proofOf, RecoveryCodeSchema, TotpCodeSchema, withOneSecondFactor } from './second-factor-input.js';
import { assertMaySignIn, tokenPair } from './sign-in.js';

const MfaSignInSchema = withOneSecondFactor(
  z.strictObject({
    challenge: z.string().min(1).max(256),
    code: TotpCodeSchema.optional(),
    recoveryCode: RecoveryCodeSchema.optional(),
  }),
  true,
).openapi('MfaSignIn');

const loginMfa = createRoute({
  method: 'post',
  path: '/auth/login/mfa',
  tags: ['auth'],
  summary:
    "Second step of a two-factor sign-in: the challenge from /auth/login with the authenticator's code or a recovery code",
  description:
    "A challenge lives 5 minutes, works once and takes 5 wrong codes; a code's time step works once (a replay: 401 mfa_code_wrong). Wrong codes count towards the sign-in lockout.",
  request: { body: jsonBody(MfaSignInSchema) },
  responses: {
    200: { description: 'Signed in.', content: { 'application/json': { schema: TokenPairSchema } } },
    ...problemResponses(400, 401, 403, 429),
  },
});

/**
 * The second step of a two-factor sign-in: /auth/login answered a challenge
 * (the password was right); a code from the authenticator, or a recovery code,
 * turns it into tokens.
 */
export function loginMfaRoutes(deps: IdentityDeps) {
  const { db, config, identityMetrics } = deps;

  return createRouter().openapi(loginMfa, async (c) => {
    const { challenge, ...factor } = c.req.valid('json');
    const now = deps.now();
    // The schema requires one of the two.
    const proof = proofOf(factor) ?? { code: '' };
    const outcome = await db.transaction().execute(async (trx) => {
      const row = await lockLiveChallenge(trx, challenge, now, config.MFA_CHALLENGE_MAX_ATTEMPTS);
      if (!row) return { kind: 'invalid' as const };
      const user = await getUser(trx, row.user_id);
      const locked = await secondsLocked(trx, user.email, now);
      if (locked > 0) return { kind: 'locked' as const, seconds: locked };
      // Both limits count a failure: the account's sign-in lockout (there) and this challenge's attempts.
      const checked = await checkSecondFactorCounted(trx, deps, user, proof, now);
      if (!checked.ok) {
        await countChallengeFailure(trx, row.token_hash);
        return { kind: 'wrong' as const };
      }
      await spendChallenge(trx, row.token_hash, now);
      if (checked.method === 'recovery_code') {
        const left = await recoveryCodesLeft(trx, user.id);
        await emitEvent(trx, twoFactorChanged(user.id, 'recovery_code_used', now, left), { now });
        await writeAudit(
          trx,
          { actorId: user.id, action: 'user.recovery_code_used', targetId: user.id, details: { left } },
          now,
        );
      }
      return { kind: 'passed' as const, user, userAgent: row.user_agent ?? undefined };
    });
    if (outcome.kind === 'invalid') {
      throw new Unauthorized(
        'mfa_challenge_invalid',
        'The sign-in challenge is unknown, expired, already used or out of attempts; sign in again.',
      );
    }
    if (outcome.kind === 'locked') {
      identityMetrics.logins.inc({ result: 'locked' });
      throw lockedOut(outcome.seconds);
    }
    if (outcome.kind === 'wrong') {
      identityMetrics.logins.inc({ result: 'mfa_code_wrong' });
      throw new Unauthorized('mfa_code_wrong', 'The code is wrong or was already used.');
    }
    const { user } = outcome;
    assertMaySignIn(user);
    await clearFailures(db, user.email);
    const session = await startSession(db, user.id, outcome.userAgent, now, config.REFRESH_TOKEN_TTL_SECONDS);
    identityMetrics.logins.inc({ result: 'success' });
    c.header('Cache-Control', 'no-store');
    return c.json(await tokenPair(deps, user, session.sessionId, session.refreshToken), 200);
  });
}
