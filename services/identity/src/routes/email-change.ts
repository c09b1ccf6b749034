import {
  BadRequest,
  bearerSecurity,
  Conflict,
  createRouter,
  emitEvent,
  Forbidden,
  jsonBody,
  principalOf,
  problemResponses,
  TooManyRequests,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAudit } from '../db/audit.js';
import { clearFailures } from '../db/login-throttle.js';
import { retireOneTimeCodes, spendEmailChangeCode, storeOneTimeCode } from '../db/one-time-codes.js';
import { takeRequestSlot } from '../db/security-requests.js';
import { endSessions, refuseEndedSessions } from '../db/sessions.js';
import { hasActiveTotp } from '../db/totp.js';
import { getUser, updateEmail } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { newOneTimeCode } from '../domain/one-time-codes.js';
import { directoryEntry } from '../domain/user-events.js';
import { assertCurrentPassword, checkSecondFactorCounted } from './current-password.js';
import { EmailSchema, toUser, UserSchema } from './schemas.js';
import { proofOf, RecoveryCodeSchema, TotpCodeSchema, withOneSecondFactor } from './second-factor-input.js';

const EmailChangeSchema = withOneSecondFactor(
  z.strictObject({
    currentPassword: z.string().min(1).max(1024),
    newEmail: EmailSchema,
    code: TotpCodeSchema.optional().openapi({
      description:
        'A code from your authenticator app. Two-factor sign-in on: give this or `recoveryCode` (403 `mfa_code_required` without either). Off: leave both out (409 `mfa_not_enabled`).',
    }),
    recoveryCode: RecoveryCodeSchema.optional().openapi({
      description: 'One of your recovery codes, in place of `code`; it is used up.',
    }),
  }),
  false,
).openapi('EmailChange', {
  description:
    'With two-factor sign-in on, the password and a second factor (`code` or `recoveryCode`): a stolen password and session alone cannot move the account.',
});

const EmailChangeConfirmSchema = z
  .strictObject({ code: z.string().min(1).max(256) })
  .openapi('EmailChangeConfirmation');

const account = { tags: ['account security'], security: bearerSecurity };

const requestChange = createRoute({
  ...account,
  method: 'post',
  path: '/auth/email',
  summary:
    'Ask to move your account to a new e-mail address (needs your password, and a code or a recovery code when two-factor sign-in is on): a code goes to the new address, a warning to the old one',
  description:
    'Answers 202 whether or not the new address is taken. The code works once, for 24 hours; 3 requests an hour per account (429). With two-factor sign-in on and no code: 403 mfa_code_required; a wrong one: 403 mfa_code_wrong.',
  request: { body: jsonBody(EmailChangeSchema) },
  responses: {
    202: {
      description:
        'A code is on its way to the new address. The answer is the same whether or not another account uses it: that is told only when the code is confirmed, to someone who proved they read that mailbox.',
    },
    ...problemResponses(400, 401, 403, 409, 429),
  },
});

const confirmChange = createRoute({
  ...account,
  method: 'post',
  path: '/auth/email/confirm',
  summary:
    'Confirm the new address with the code sent to it: it becomes your verified e-mail and your other sessions end; then refresh',
  description:
    'Codes sent to the old address stop working; 409 email_taken if another account has the address by now.',
  request: { body: jsonBody(EmailChangeConfirmSchema) },
  responses: {
    200: { description: 'Changed.', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(400, 401, 409),
  },
});

export function emailChangeRoutes(deps: IdentityDeps) {
  const { db, config } = deps;
  const signedIn = [deps.guards.require()];

  return createRouter()
    .openapi({ ...requestChange, middleware: signedIn }, async (c) => {
      const { currentPassword, newEmail, ...factor } = c.req.valid('json');
      const { userId } = principalOf(c);
      const now = deps.now();
      const user = await getUser(db, userId);
      // The new mailbox can reset the password: with two factors on, moving it needs both.
      const twoFactor = await hasActiveTotp(db, userId);
      const proof = proofOf(factor);
      // Told before the password is checked, so asking for what is missing costs no attempt.
      if (twoFactor && !proof) {
        throw new Forbidden(
          'mfa_code_required',
          'Two-factor sign-in is on: send a code from the app (code) or a recovery code (recoveryCode) too.',
        );
      }
      if (!twoFactor && proof) throw new Conflict('mfa_not_enabled', 'Two-factor sign-in is not on.');
      // Wrong passwords and codes count as failed sign-ins of the account, as on the sign-in form.
      await assertCurrentPassword(deps, user, currentPassword, now, { clear: !proof });
      if (newEmail === user.email) {
        throw new BadRequest('email_unchanged', 'This is already the e-mail address of your account.');
      }
      const code = newOneTimeCode('email_change');
      const expiresAt = new Date(now.getTime() + config.EMAIL_CHANGE_TTL_SECONDS * 1000);
      const accepted = await db.transaction().execute(async (trx) => {
        const checked = proof ? await checkSecondFactorCounted(trx, deps, user, proof, now) : undefined;
        // Commits the counted failure; a mistyped code does not use up one of the requests below.
        if (checked && !checked.ok) return false;
        // Each request mails a code to an address of the caller's choosing: bounded per account.
        const wait = await takeRequestSlot(
          trx,
          `email_change:${userId}`,
          { max: config.EMAIL_CHANGE_MAX_REQUESTS, windowSeconds: config.EMAIL_CHANGE_WINDOW_SECONDS },
          now,
        );
        if (wait > 0) {
          // Thrown to roll back: a refused request must not spend the code or recovery code it came with.
          throw new TooManyRequests('email_change_throttled', 'Too many e-mail changes asked for; wait.', {
            headers: { 'Retry-After': String(wait) },
          });
        }
        await storeOneTimeCode(trx, 'email_change', userId, code, now, expiresAt, newEmail);
        await emitEvent(
          trx,
          {
            type: 'user.emailChangeRequested',
            version: 1,
            data: {
              userId,
              oldEmail: user.email,
              newEmail,
              confirmationCode: code,
              expiresAt: expiresAt.toISOString(),
            },
          },
          { now },
        );
        await writeAudit(
          trx,
          {
            actorId: userId,
            action: 'user.email_change_requested',
            targetId: userId,
            ...(checked ? { details: { secondFactor: checked.method } } : {}),
          },
          now,
        );
        return true;
      });
      if (!accepted) throw new Forbidden('mfa_code_wrong', 'The code is wrong or was already used.');
      if (proof) await clearFailures(db, user.email);
      return c.body(null, 202);
    })
    .openapi({ ...confirmChange, middleware: signedIn }, async (c) => {
      const { code } = c.req.valid('json');
      const { userId, sessionId } = principalOf(c);
      const now = deps.now();
      let ended: string[] = [];
      const updated = await db.transaction().execute(async (trx) => {
        const newEmail = await spendEmailChangeCode(trx, userId, code, now);
        if (!newEmail) return undefined;
        const before = await getUser(trx, userId);
        // A taken address fails here (409) and rolls the whole change back, the code included.
        await updateEmail(trx, userId, newEmail, now);
        const after = await getUser(trx, userId);
        // Codes mailed to the old address (verification, reset) must not work once it is no longer ours.
        await retireOneTimeCodes(trx, userId, ['email_verification', 'password_reset', 'email_change'], now);
        ended = await endSessions(trx, { userId, except: sessionId }, 'email_changed', now);
        // The directories first (notifications then mails the new address), then the warning to the old one.
        await emitEvent(trx, { type: 'user.updated', version: 1, data: directoryEntry(after) }, { now });
        await emitEvent(
          trx,
          {
            type: 'user.emailChanged',
            version: 1,
            data: { userId, oldEmail: before.email, changedAt: now.toISOString() },
          },
          { now },
        );
        await writeAudit(
          trx,
          {
            actorId: userId,
            action: 'user.email_changed',
            targetId: userId,
            details: { ended: ended.length },
          },
          now,
        );
        return after;
      });
      if (!updated) {
        throw new BadRequest('invalid_email_change_code', 'The code is invalid, expired or already used.');
      }
      refuseEndedSessions(deps.revocations, ended, now);
      return c.json(toUser(updated), 200);
    });
}
