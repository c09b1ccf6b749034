import {
  bearerSecurity,
  createRouter,
  emitEvent,
  jsonBody,
  principalOf,
  problemResponses,
  retryOnDeadlock,
  Unauthorized,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAudit } from '../db/audit.js';
import { clearFailures, recordFailure, secondsLocked } from '../db/login-throttle.js';
import { openChallenge } from '../db/mfa-challenges.js';
import { issueEmailVerification } from '../db/one-time-codes.js';
import { endSessions, refuseEndedSessions, rotateRefreshToken, startSession } from '../db/sessions.js';
import { hasActiveTotp } from '../db/totp.js';
import { findUserByEmail, getUser, insertUser, newUserRow } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { verifyPassword } from '../domain/passwords.js';
import { signEnrolmentToken } from '../domain/tokens.js';
import { directoryEntry } from '../domain/user-events.js';
import { signInBlockedCode } from '../domain/user-status.js';
import { lockedOut, signInThrottle } from './current-password.js';
import { EmailSchema, NameSchema, PasswordSchema, TokenPairSchema, toUser, UserSchema } from './schemas.js';
import { assertMaySignIn, enrolmentRequired, mustEnrolSecondFactor, tokenPair } from './sign-in.js';

const RegisterSchema = z
  .strictObject({
    email: EmailSchema,
    password: PasswordSchema,
    firstName: NameSchema,
    lastName: NameSchema,
    role: z.enum(['student', 'agent']).openapi({ description: 'Admins are created by admins only.' }),
    regNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9/_-]{3,64}$/, { error: 'must be 3–64 letters, digits, "/", "-" or "_"' })
      .optional()
      .openapi({
        description: "The student's registration number; required for students.",
        example: 'UNIMA/2026/0042',
      }),
  })
  .superRefine((body, ctx) => {
    if (body.role === 'student' && !body.regNumber) {
      ctx.addIssue({ code: 'custom', path: ['regNumber'], message: 'is required for students' });
    }
    if (body.role !== 'student' && body.regNumber) {
      ctx.addIssue({ code: 'custom', path: ['regNumber'], message: 'is only for students' });
    }
  })
  // The rule above, as the document states it.
  .openapi('Registration', {
    oneOf: [
      { properties: { role: { const: 'student' } }, required: ['regNumber'] },
      { properties: { role: { const: 'agent' } }, not: { required: ['regNumber'] } },
    ],
  });

const LoginSchema = z
  .strictObject({ email: EmailSchema, password: z.string().min(1).max(1024) })
  .openapi('Login');

const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(4096) }).openapi('Refresh');

const SecondStepSchema = z
  .discriminatedUnion('next', [
    z.object({
      next: z.literal('mfa_code').openapi({
        description:
          'Send a code from the authenticator (or a recovery code) with `challenge` to /auth/login/mfa.',
      }),
      challenge: z.string().openapi({ description: 'Single-use; good for `expiresIn` seconds.' }),
      expiresIn: z.number().int(),
    }),
    z.object({
      next: z.literal('mfa_enrolment').openapi({
        description:
          'An administrator without an authenticator while MFA_REQUIRED_FOR_ADMINS is on: use `enrolmentToken` as ' +
          'the bearer token of POST /auth/mfa/totp and /auth/mfa/totp/confirm (nothing else accepts it), then sign in again.',
      }),
      enrolmentToken: z.string(),
      expiresIn: z.number().int(),
    }),
  ])
  .openapi('SignInSecondStep');

const register = createRoute({
  method: 'post',
  path: '/auth/register',
  tags: ['auth'],
  summary: 'Register as a student (active at once) or an agent (pending until an admin approves)',
  description: 'Students need a unique regNumber. A verification code is e-mailed to the address at once.',
  request: { body: jsonBody(RegisterSchema) },
  responses: {
    201: { description: 'Registered.', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(400, 409),
  },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary:
    'Exchange e-mail and password for tokens; with two-factor sign-in on, for a challenge to answer with a code',
  description:
    '200 with the token pair; with two-factor sign-in on, 202 { next: "mfa_code", challenge, expiresIn } instead. 5 failures in 15 minutes lock the e-mail for 5 minutes (429 with Retry-After).',
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: { description: 'Signed in.', content: { 'application/json': { schema: TokenPairSchema } } },
    202: {
      description: 'The password is right; a second step is needed (a code, or enrolling an authenticator).',
      content: { 'application/json': { schema: SecondStepSchema } },
    },
    ...problemResponses(400, 401, 403, 429),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['auth'],
  summary: 'Rotate a refresh token: returns a new pair; a reused token revokes its session',
  description: 'A refresh token presented twice (stolen) ends its whole session.',
  request: { body: jsonBody(RefreshSchema) },
  responses: {
    200: { description: 'A new token pair.', content: { 'application/json': { schema: TokenPairSchema } } },
    ...problemResponses(400, 401, 403),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: "End the caller's session (its refresh-token family)",
  description:
    'Its access tokens are refused everywhere within seconds (401 session_ended), and its notification stream closes.',
  security: bearerSecurity,
  responses: { 204: { description: 'Signed out.' }, ...problemResponses(401) },
});

const me = createRoute({
  method: 'get',
  path: '/auth/me',
  tags: ['auth'],
  summary: 'The signed-in user',
  security: bearerSecurity,
  responses: {
    200: { description: 'The caller.', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(401),
  },
});

export function authRoutes(deps: IdentityDeps) {
  const { db, config, identityMetrics } = deps;
  const throttle = signInThrottle(deps);

  return createRouter()
    .openapi(register, async (c) => {
      const body = c.req.valid('json');
      const now = deps.now();
      const row = await newUserRow(body, now);
      // Retiring a new user's earlier codes (none) would gap-lock the end of one_time_codes' index under
      // REPEATABLE READ, and two registrations at once then deadlock on their inserts (found by bench/):
      // READ COMMITTED takes no gap locks, and a deadlock from elsewhere is retried.
      await retryOnDeadlock(() =>
        db
          .transaction()
          .setIsolationLevel('read committed')
          .execute(async (trx) => {
            await insertUser(trx, row);
            await emitEvent(trx, { type: 'user.registered', version: 1, data: directoryEntry(row) }, { now });
            // After user.registered, so notifications already knows the address it mails the code to.
            await issueEmailVerification(trx, row.id, now, config.EMAIL_VERIFICATION_TTL_SECONDS);
          }),
      );
      identityMetrics.registrations.inc({ role: body.role });
      c.header('Location', `/api/v1/users/${row.id}`);
      return c.json(toUser(row), 201);
    })
    .openapi(login, async (c) => {
      const { email, password } = c.req.valid('json');
      const now = deps.now();
      const locked = await secondsLocked(db, email, now);
      if (locked > 0) {
        identityMetrics.logins.inc({ result: 'locked' });
        throw lockedOut(locked);
      }
      const user = await findUserByEmail(db, email);
      const valid = await verifyPassword(user?.password_hash ?? deps.decoyPasswordHash, password);
      if (!user || !valid) {
        await recordFailure(db, email, now, throttle);
        identityMetrics.logins.inc({ result: 'invalid_credentials' });
        throw new Unauthorized('invalid_credentials', 'The e-mail or password is wrong.');
      }
      if (signInBlockedCode(user.status)) identityMetrics.logins.inc({ result: 'blocked' });
      assertMaySignIn(user);
      c.header('Cache-Control', 'no-store');
      const totpOn = await hasActiveTotp(db, user.id);
      if (totpOn) {
        // Failures are forgotten only once the second factor is right too: otherwise someone holding the
        // password could reset the account's lockout with every new challenge and guess codes forever.
        const challenge = await openChallenge(
          db,
          user.id,
          c.req.header('User-Agent'),
          now,
          config.MFA_CHALLENGE_TTL_SECONDS,
        );
        identityMetrics.logins.inc({ result: 'mfa_challenge' });
        return c.json(
          {
            next: 'mfa_code' as const,
            challenge: challenge.token,
            expiresIn: config.MFA_CHALLENGE_TTL_SECONDS,
          },
          202,
        );
      }
      await clearFailures(db, email);
      if (mustEnrolSecondFactor(deps, user, totpOn)) {
        const enrolmentToken = await signEnrolmentToken(
          { userId: user.id, role: user.role },
          deps.keys.active,
          {
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
            ttlSeconds: config.MFA_ENROLMENT_TOKEN_TTL_SECONDS,
          },
          now,
        );
        await writeAudit(
          db,
          { actorId: user.id, action: 'user.mfa_enrolment_demanded', targetId: user.id },
          now,
        );
        identityMetrics.logins.inc({ result: 'mfa_enrolment_required' });
        return c.json(
          {
            next: 'mfa_enrolment' as const,
            enrolmentToken,
            expiresIn: config.MFA_ENROLMENT_TOKEN_TTL_SECONDS,
          },
          202,
        );
      }
      const session = await startSession(
        db,
        user.id,
        c.req.header('User-Agent'),
        now,
        config.REFRESH_TOKEN_TTL_SECONDS,
      );
      identityMetrics.logins.inc({ result: 'success' });
      return c.json(await tokenPair(deps, user, session.sessionId, session.refreshToken), 200);
    })
    .openapi(refresh, async (c) => {
      const { refreshToken } = c.req.valid('json');
      const rotated = await rotateRefreshToken(db, refreshToken, deps.now(), deps.revocations);
      const user = await getUser(db, rotated.userId);
      assertMaySignIn(user);
      // A session an admin opened before the requirement was switched on does not outlive it.
      if (mustEnrolSecondFactor(deps, user, await hasActiveTotp(db, user.id))) throw enrolmentRequired();
      c.header('Cache-Control', 'no-store');
      return c.json(await tokenPair(deps, user, rotated.sessionId, rotated.refreshToken), 200);
    })
    .openapi({ ...logout, middleware: [deps.guards.require()] }, async (c) => {
      const { userId, sessionId } = principalOf(c);
      const now = deps.now();
      if (sessionId) {
        const ended = await db
          .transaction()
          .execute((trx) => endSessions(trx, { userId, only: sessionId }, 'logout', now));
        refuseEndedSessions(deps.revocations, ended, now);
      }
      return c.body(null, 204);
    })
    .openapi({ ...me, middleware: [deps.guards.require()] }, async (c) => {
      const user = await getUser(db, principalOf(c).userId);
      return c.json(toUser(user), 200);
    });
}
