import {
  BadRequest,
  bearerSecurity,
  Conflict,
  createRouter,
  emitEvent,
  jsonBody,
  NotFound,
  principalOf,
  problemResponses,
  TooManyRequests,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAudit } from '../db/audit.js';
import { clearFailures } from '../db/login-throttle.js';
import { issueEmailVerification, spendOneTimeCode, storeOneTimeCode } from '../db/one-time-codes.js';
import { takeRequestSlot } from '../db/security-requests.js';
import { endSessions, listActiveSessions, refuseEndedSessions, revokeOwnSession } from '../db/sessions.js';
import { findUserByEmail, getUser, markEmailVerified, updatePasswordHash } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { newOneTimeCode } from '../domain/one-time-codes.js';
import { hashPassword } from '../domain/passwords.js';
import { assertCurrentPassword } from './current-password.js';
import { EmailSchema, PasswordSchema } from './schemas.js';

const SessionSchema = z
  .object({
    id: z.uuid(),
    device: z.string().nullable().openapi({ description: 'The user agent that signed in, as it sent it.' }),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().openapi({ description: 'Sign-in or the last refresh.' }),
    expiresAt: z.iso.datetime(),
    current: z.boolean().openapi({ description: 'The session of the access token making this request.' }),
  })
  .openapi('Session');

const SessionListSchema = z.object({ items: z.array(SessionSchema) }).openapi('SessionList');

const SessionIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a session id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});

const ChangePasswordSchema = z
  .strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordSchema })
  .openapi('PasswordChange');

const ResetRequestSchema = z.strictObject({ email: EmailSchema }).openapi('PasswordResetRequest');

const ResetConfirmSchema = z
  .strictObject({ code: z.string().min(1).max(256), newPassword: PasswordSchema })
  .openapi('PasswordResetConfirmation');

const VerifyEmailSchema = z.strictObject({ code: z.string().min(1).max(256) }).openapi('EmailVerification');

const account = { tags: ['account security'] };

const verifyEmail = createRoute({
  ...account,
  method: 'post',
  path: '/auth/verify-email',
  summary:
    'Verify your e-mail with the code sent to it (no token needed: the code is the proof); then refresh',
  description:
    'The code comes in the verification e-mail sent on registration; it works once, for 48 hours. The tokens refreshed afterwards carry email_verified: true, which applying for a loan and moving money need.',
  request: { body: jsonBody(VerifyEmailSchema) },
  responses: { 204: { description: 'Verified.' }, ...problemResponses(400) },
});

const resendVerification = createRoute({
  ...account,
  method: 'post',
  path: '/auth/verify-email/resend',
  summary: 'Send a new verification code to your e-mail (earlier codes stop working)',
  description: '3 an hour per account (429); 409 once the e-mail is verified.',
  security: bearerSecurity,
  responses: {
    202: { description: 'A new code is on its way.' },
    ...problemResponses(401, 409, 429),
  },
});

const listSessions = createRoute({
  ...account,
  method: 'get',
  path: '/auth/sessions',
  summary: "The caller's sessions in force (refresh-token families), with device and last use",
  security: bearerSecurity,
  responses: {
    200: { description: 'The sessions.', content: { 'application/json': { schema: SessionListSchema } } },
    ...problemResponses(401),
  },
});

const revokeOne = createRoute({
  ...account,
  method: 'delete',
  path: '/auth/sessions/{id}',
  summary: 'End one of your sessions (its refresh token stops working)',
  description:
    '404 if it is not yours or already ended. Its access tokens are refused everywhere within seconds (401 session_ended).',
  security: bearerSecurity,
  request: { params: SessionIdParamSchema },
  responses: { 204: { description: 'Ended.' }, ...problemResponses(400, 401, 404) },
});

const revokeOthers = createRoute({
  ...account,
  method: 'delete',
  path: '/auth/sessions',
  summary: 'End every session of yours except this one (use logout for this one)',
  security: bearerSecurity,
  responses: { 204: { description: 'Ended.' }, ...problemResponses(401) },
});

const changePassword = createRoute({
  ...account,
  method: 'post',
  path: '/auth/password',
  summary: 'Change your password (needs the current one); your other sessions end',
  description: 'Wrong current passwords count towards the sign-in lockout.',
  security: bearerSecurity,
  request: { body: jsonBody(ChangePasswordSchema) },
  responses: { 204: { description: 'Changed.' }, ...problemResponses(400, 401, 403, 429) },
});

const requestReset = createRoute({
  ...account,
  method: 'post',
  path: '/auth/password-reset',
  summary:
    'Ask for a password-reset code by e-mail; the answer is the same whether or not the e-mail has an account',
  description:
    'Always 202. A code (single use, 30 minutes) is e-mailed to an existing account; 3 requests an hour per e-mail (429, alike for unknown e-mails).',
  request: { body: jsonBody(ResetRequestSchema) },
  responses: {
    202: { description: 'If the e-mail has an account, a code is on its way.' },
    ...problemResponses(400, 429),
  },
});

const confirmReset = createRoute({
  ...account,
  method: 'post',
  path: '/auth/password-reset/confirm',
  summary: 'Set a new password with the e-mailed code; every session of the account ends',
  description: '400 invalid_reset_code for an unknown, used or expired code.',
  request: { body: jsonBody(ResetConfirmSchema) },
  responses: { 204: { description: 'Password set; sign in with it.' }, ...problemResponses(400) },
});

export function accountRoutes(deps: IdentityDeps) {
  const { db, config } = deps;
  const signedIn = [deps.guards.require()];

  return createRouter()
    .openapi(verifyEmail, async (c) => {
      const { code } = c.req.valid('json');
      const now = deps.now();
      const verified = await db.transaction().execute(async (trx) => {
        const owner = await spendOneTimeCode(trx, 'email_verification', code, now);
        if (!owner) return false;
        await markEmailVerified(trx, owner, now);
        await writeAudit(trx, { actorId: owner, action: 'user.email_verified', targetId: owner }, now);
        return true;
      });
      if (!verified) {
        throw new BadRequest('invalid_verification_code', 'The code is invalid, expired or already used.');
      }
      return c.body(null, 204);
    })
    .openapi({ ...resendVerification, middleware: signedIn }, async (c) => {
      const { userId } = principalOf(c);
      const now = deps.now();
      const user = await getUser(db, userId);
      if (user.email_verified_at !== null) {
        throw new Conflict('email_already_verified', 'Your e-mail is already verified; refresh your token.');
      }
      const wait = await takeRequestSlot(
        db,
        `email_verification:${userId}`,
        {
          max: config.EMAIL_VERIFICATION_RESEND_MAX,
          windowSeconds: config.EMAIL_VERIFICATION_RESEND_WINDOW_SECONDS,
        },
        now,
      );
      if (wait > 0) {
        throw new TooManyRequests('verification_throttled', 'Too many verification codes asked for; wait.', {
          headers: { 'Retry-After': String(wait) },
        });
      }
      await db.transaction().execute(async (trx) => {
        await issueEmailVerification(trx, userId, now, config.EMAIL_VERIFICATION_TTL_SECONDS);
        await writeAudit(
          trx,
          { actorId: userId, action: 'user.email_verification_resent', targetId: userId },
          now,
        );
      });
      return c.body(null, 202);
    })
    .openapi({ ...listSessions, middleware: signedIn }, async (c) => {
      const principal = principalOf(c);
      const rows = await listActiveSessions(db, principal.userId, deps.now());
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          items: rows.map((row) => ({
            id: row.id,
            device: row.user_agent,
            createdAt: row.created_at.toISOString(),
            lastUsedAt: row.last_used_at.toISOString(),
            expiresAt: row.expires_at.toISOString(),
            current: row.id === principal.sessionId,
          })),
        },
        200,
      );
    })
    .openapi({ ...revokeOne, middleware: signedIn }, async (c) => {
      const { userId } = principalOf(c);
      const sessionId = c.req.valid('param').id;
      const now = deps.now();
      const ended = await db.transaction().execute(async (trx) => {
        const ended = await revokeOwnSession(trx, userId, sessionId, 'revoked_by_user', now);
        if (ended.length === 0) {
          throw new NotFound('session_not_found', 'You have no session in force with this id.');
        }
        await writeAudit(
          trx,
          { actorId: userId, action: 'session.revoked', targetId: userId, details: { sessionId } },
          now,
        );
        return ended;
      });
      refuseEndedSessions(deps.revocations, ended, now);
      return c.body(null, 204);
    })
    .openapi({ ...revokeOthers, middleware: signedIn }, async (c) => {
      const { userId, sessionId } = principalOf(c);
      const now = deps.now();
      const ended = await db.transaction().execute(async (trx) => {
        const ended = await endSessions(trx, { userId, except: sessionId }, 'revoked_by_user', now);
        await writeAudit(
          trx,
          {
            actorId: userId,
            action: 'session.revoked_others',
            targetId: userId,
            details: { ended: ended.length },
          },
          now,
        );
        return ended;
      });
      refuseEndedSessions(deps.revocations, ended, now);
      return c.body(null, 204);
    })
    .openapi({ ...changePassword, middleware: signedIn }, async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json');
      const { userId, sessionId } = principalOf(c);
      const now = deps.now();
      const user = await getUser(db, userId);
      await assertCurrentPassword(deps, user, currentPassword, now);
      const passwordHash = await hashPassword(newPassword);
      let ended: string[] = [];
      await db.transaction().execute(async (trx) => {
        await updatePasswordHash(trx, user.id, passwordHash, now);
        ended = await endSessions(trx, { userId: user.id, except: sessionId }, 'password_changed', now);
        await emitEvent(
          trx,
          {
            type: 'user.passwordChanged',
            version: 1,
            data: { userId: user.id, changedAt: now.toISOString(), method: 'changed' },
          },
          { now },
        );
        await writeAudit(
          trx,
          {
            actorId: user.id,
            action: 'user.password_changed',
            targetId: user.id,
            details: { ended: ended.length },
          },
          now,
        );
      });
      refuseEndedSessions(deps.revocations, ended, now);
      return c.body(null, 204);
    })
    .openapi(requestReset, async (c) => {
      const { email } = c.req.valid('json');
      const now = deps.now();
      // Counted per e-mail whether or not it has an account, so the limit reveals nothing either.
      const wait = await takeRequestSlot(
        db,
        `password_reset:${email}`,
        { max: config.PASSWORD_RESET_MAX_REQUESTS, windowSeconds: config.PASSWORD_RESET_WINDOW_SECONDS },
        now,
      );
      if (wait > 0) {
        throw new TooManyRequests('password_reset_throttled', 'Too many reset requests for this e-mail.', {
          headers: { 'Retry-After': String(wait) },
        });
      }
      const user = await findUserByEmail(db, email);
      // Disabled and rejected accounts cannot sign in, so they get no code (and the same answer).
      if (user && (user.status === 'active' || user.status === 'pending')) {
        const code = newOneTimeCode('password_reset');
        const expiresAt = new Date(now.getTime() + config.PASSWORD_RESET_TTL_SECONDS * 1000);
        await db.transaction().execute(async (trx) => {
          await storeOneTimeCode(trx, 'password_reset', user.id, code, now, expiresAt);
          await emitEvent(
            trx,
            {
              type: 'user.passwordResetRequested',
              version: 1,
              data: { userId: user.id, resetCode: code, expiresAt: expiresAt.toISOString() },
            },
            { now },
          );
          await writeAudit(
            trx,
            { actorId: null, action: 'user.password_reset_requested', targetId: user.id },
            now,
          );
        });
      }
      return c.body(null, 202);
    })
    .openapi(confirmReset, async (c) => {
      const { code, newPassword } = c.req.valid('json');
      const now = deps.now();
      const passwordHash = await hashPassword(newPassword);
      let ended: string[] = [];
      const userId = await db.transaction().execute(async (trx) => {
        const owner = await spendOneTimeCode(trx, 'password_reset', code, now);
        if (!owner) return undefined;
        await updatePasswordHash(trx, owner, passwordHash, now);
        ended = await endSessions(trx, { userId: owner }, 'password_reset', now);
        await emitEvent(
          trx,
          {
            type: 'user.passwordChanged',
            version: 1,
            data: { userId: owner, changedAt: now.toISOString(), method: 'reset' },
          },
          { now },
        );
        await writeAudit(trx, { actorId: owner, action: 'user.password_reset', targetId: owner }, now);
        return owner;
      });
      if (!userId) {
        throw new BadRequest('invalid_reset_code', 'The reset code is invalid, expired or already used.');
      }
      refuseEndedSessions(deps.revocations, ended, now);
      // The owner proved control of the mailbox: earlier failed sign-ins no longer lock them out.
      const user = await getUser(db, userId);
      await clearFailures(db, user.email);
      return c.body(null, 204);
    });
}
