import {
  bearerSecurity,
  createRouter,
  emitEvent,
  Forbidden,
  jsonBody,
  principalOf,
  problemResponses,
  TooManyRequests,
  Unauthorized,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { clearFailures, recordFailure, secondsLocked } from '../db/login-throttle.js';
import { issueEmailVerification } from '../db/one-time-codes.js';
import type { UserRow } from '../db/schema.js';
import { revokeSession, rotateRefreshToken, startSession } from '../db/sessions.js';
import { findUserByEmail, getUser, insertUser, newUserRow } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { verifyPassword } from '../domain/passwords.js';
import { signAccessToken } from '../domain/tokens.js';
import { directoryEntry } from '../domain/user-events.js';
import { signInBlockedCode } from '../domain/user-status.js';
import { EmailSchema, NameSchema, PasswordSchema, TokenPairSchema, toUser, UserSchema } from './schemas.js';

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
  .openapi('Registration');

const LoginSchema = z
  .strictObject({ email: EmailSchema, password: z.string().min(1).max(1024) })
  .openapi('Login');

const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(4096) }).openapi('Refresh');

const register = createRoute({
  method: 'post',
  path: '/auth/register',
  tags: ['auth'],
  summary: 'Register as a student (active at once) or an agent (pending until an admin approves)',
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
  summary: 'Exchange e-mail and password for an access token and a refresh token',
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: { description: 'Signed in.', content: { 'application/json': { schema: TokenPairSchema } } },
    ...problemResponses(400, 401, 403, 429),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['auth'],
  summary: 'Rotate a refresh token: returns a new pair; a reused token revokes its session',
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
  const throttle = {
    maxFailures: config.LOGIN_MAX_FAILURES,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
  };

  async function tokenPair(user: UserRow, sessionId: string, refreshToken: string) {
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

  function assertMaySignIn(user: UserRow): void {
    const blocked = signInBlockedCode(user.status);
    if (blocked) throw new Forbidden(blocked, `This account cannot sign in: it is ${user.status}.`);
  }

  return createRouter()
    .openapi(register, async (c) => {
      const body = c.req.valid('json');
      const now = deps.now();
      const row = await newUserRow(body, now);
      await db.transaction().execute(async (trx) => {
        await insertUser(trx, row);
        await emitEvent(trx, { type: 'user.registered', version: 1, data: directoryEntry(row) }, { now });
        // After user.registered, so notifications already knows the address it mails the code to.
        await issueEmailVerification(trx, row.id, now, config.EMAIL_VERIFICATION_TTL_SECONDS);
      });
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
        throw new TooManyRequests('login_locked', 'Too many failed sign-ins; try again later.', {
          headers: { 'Retry-After': String(locked) },
        });
      }
      const user = await findUserByEmail(db, email);
      const valid = await verifyPassword(user?.password_hash ?? deps.decoyPasswordHash, password);
      if (!user || !valid) {
        await recordFailure(db, email, now, throttle);
        identityMetrics.logins.inc({ result: 'invalid_credentials' });
        throw new Unauthorized('invalid_credentials', 'The e-mail or password is wrong.');
      }
      await clearFailures(db, email);
      if (signInBlockedCode(user.status)) identityMetrics.logins.inc({ result: 'blocked' });
      assertMaySignIn(user);
      const session = await startSession(
        db,
        user.id,
        c.req.header('User-Agent'),
        now,
        config.REFRESH_TOKEN_TTL_SECONDS,
      );
      identityMetrics.logins.inc({ result: 'success' });
      c.header('Cache-Control', 'no-store');
      return c.json(await tokenPair(user, session.sessionId, session.refreshToken), 200);
    })
    .openapi(refresh, async (c) => {
      const { refreshToken } = c.req.valid('json');
      const rotated = await rotateRefreshToken(db, refreshToken, deps.now());
      const user = await getUser(db, rotated.userId);
      assertMaySignIn(user);
      c.header('Cache-Control', 'no-store');
      return c.json(await tokenPair(user, rotated.sessionId, rotated.refreshToken), 200);
    })
    .openapi({ ...logout, middleware: [deps.guards.require()] }, async (c) => {
      const principal = principalOf(c);
      if (principal.sessionId)
        await revokeSession(db, principal.userId, principal.sessionId, 'logout', deps.now());
      return c.body(null, 204);
    })
    .openapi({ ...me, middleware: [deps.guards.require()] }, async (c) => {
      const user = await getUser(db, principalOf(c).userId);
      return c.json(toUser(user), 200);
    });
}
