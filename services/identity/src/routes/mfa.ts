import { randomBytes } from 'node:crypto';
import {
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
import { openSecret, requireCipher } from '../db/second-factor.js';
import { takeRequestSlot } from '../db/security-requests.js';
import { endSessions, refuseEndedSessions } from '../db/sessions.js';
import {
  confirmTotp,
  deleteTotp,
  findTotp,
  recoveryCodesLeft,
  replaceRecoveryCodes,
  savePendingTotp,
} from '../db/totp.js';
import { getUser } from '../db/users.js';
import type { IdentityDeps } from '../deps.js';
import { newRecoveryCodes } from '../domain/recovery-codes.js';
import { base32Encode, otpauthUri, verifyTotp } from '../domain/totp.js';
import { twoFactorChanged } from '../domain/user-events.js';
import { assertCurrentPassword, assertNotLocked, checkSecondFactorCounted } from './current-password.js';
import { signedInOrEnrolling } from './enrolment-guard.js';
import { proofOf, RecoveryCodeSchema, TotpCodeSchema, withOneSecondFactor } from './second-factor-input.js';

/** New enrolments one account may start per hour: each makes a new secret, and nobody needs many. */
const ENROLMENT_STARTS_PER_HOUR = 10;
/** RFC 4226 asks for at least 128 bits; 160 is what SHA-1 authenticators expect. */
const SECRET_BYTES = 20;

const MfaStatusSchema = z
  .object({
    totp: z.enum(['off', 'pending', 'on']).openapi({
      description: '`pending`: enrolment started, waiting for its first code.',
    }),
    enabledAt: z.iso.datetime().nullable(),
    recoveryCodesLeft: z.number().int(),
    requiredForRole: z
      .boolean()
      .openapi({ description: 'Whether your role must sign in with a second factor.' }),
  })
  .openapi('MfaStatus');

const EnrolmentSchema = z
  .object({
    otpauthUri: z.string().openapi({
      description: 'Show it as a QR code for an authenticator app. Shown this once: it holds the secret.',
      example:
        'otpauth://totp/Bonding%20Platform:amina%40example.mw?secret=JBSWY3DPEHPK3PXP&issuer=Bonding+Platform&algorithm=SHA1&digits=6&period=30',
    }),
    secret: z.string().openapi({ description: 'The same secret in base32, for typing it in by hand.' }),
  })
  .openapi('TotpEnrolment');

const ConfirmSchema = z.strictObject({ code: TotpCodeSchema }).openapi('TotpConfirmation');

const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z.array(z.string()).openapi({
      description: 'Each signs in once in place of a code. Shown this once; keep them somewhere safe.',
    }),
  })
  .openapi('RecoveryCodes');

const DisableSchema = withOneSecondFactor(
  z.strictObject({
    password: z.string().min(1).max(1024),
    code: TotpCodeSchema.optional(),
    recoveryCode: RecoveryCodeSchema.optional(),
  }),
  true,
).openapi('TotpRemoval');

const RenewSchema = z.strictObject({ code: TotpCodeSchema }).openapi('RecoveryCodesRenewal');

const mfa = { tags: ['account security'], security: bearerSecurity };

const status = createRoute({
  ...mfa,
  method: 'get',
  path: '/auth/mfa',
  summary: 'Your two-factor sign-in: whether it is on, and how many recovery codes are left',
  responses: {
    200: { description: 'The status.', content: { 'application/json': { schema: MfaStatusSchema } } },
    ...problemResponses(401),
  },
});

const start = createRoute({
  ...mfa,
  method: 'post',
  path: '/auth/mfa/totp',
  summary:
    'Start enrolling an authenticator app: answers its otpauth:// URI once (also takes the enrolment token of an admin who must enrol)',
  description: '409 if two-factor sign-in is already on.',
  responses: {
    200: {
      description: 'Scan it, then confirm with a code.',
      content: { 'application/json': { schema: EnrolmentSchema } },
    },
    ...problemResponses(401, 403, 409, 429, 503),
  },
});

const confirm = createRoute({
  ...mfa,
  method: 'post',
  path: '/auth/mfa/totp/confirm',
  summary:
    'Turn two-factor sign-in on with a first code from the app; answers the recovery codes once and ends your other sessions',
  request: { body: jsonBody(ConfirmSchema) },
  responses: {
    200: { description: 'On.', content: { 'application/json': { schema: RecoveryCodesSchema } } },
    ...problemResponses(400, 401, 403, 409, 503),
  },
});

const disable = createRoute({
  ...mfa,
  method: 'post',
  path: '/auth/mfa/totp/disable',
  summary: 'Turn two-factor sign-in off (needs your password and a code or a recovery code)',
  description: 'Refused (403 mfa_required_for_role) for admins while MFA_REQUIRED_FOR_ADMINS is on.',
  request: { body: jsonBody(DisableSchema) },
  responses: { 204: { description: 'Off.' }, ...problemResponses(400, 401, 403, 409, 429) },
});

const renewRecoveryCodes = createRoute({
  ...mfa,
  method: 'post',
  path: '/auth/mfa/recovery-codes',
  summary:
    'Replace your recovery codes with 10 new ones (needs a code from the app); the old ones stop working',
  request: { body: jsonBody(RenewSchema) },
  responses: {
    200: {
      description: 'The new codes, shown once.',
      content: { 'application/json': { schema: RecoveryCodesSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 429),
  },
});

export function mfaRoutes(deps: IdentityDeps) {
  const { db, config } = deps;
  const signedIn = [deps.guards.require()];
  const enrolling = [signedInOrEnrolling(deps)];
  const requiredFor = (role: string) => config.MFA_REQUIRED_FOR_ADMINS && role === 'admin';

  return createRouter()
    .openapi({ ...status, middleware: signedIn }, async (c) => {
      const { userId, role } = principalOf(c);
      const totp = await findTotp(db, userId);
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          totp: !totp ? ('off' as const) : totp.confirmed_at ? ('on' as const) : ('pending' as const),
          enabledAt: totp?.confirmed_at?.toISOString() ?? null,
          recoveryCodesLeft: totp?.confirmed_at ? await recoveryCodesLeft(db, userId) : 0,
          requiredForRole: requiredFor(role),
        },
        200,
      );
    })
    .openapi({ ...start, middleware: enrolling }, async (c) => {
      const { userId } = principalOf(c);
      const cipher = requireCipher(deps.totpCipher);
      const now = deps.now();
      const user = await getUser(db, userId);
      if ((await findTotp(db, userId))?.confirmed_at) {
        throw new Conflict('mfa_already_enabled', 'Two-factor sign-in is already on; turn it off first.');
      }
      const wait = await takeRequestSlot(
        db,
        `totp_enrolment:${userId}`,
        { max: ENROLMENT_STARTS_PER_HOUR, windowSeconds: 3600 },
        now,
      );
      if (wait > 0) {
        throw new TooManyRequests('enrolment_throttled', 'Too many enrolments started; wait.', {
          headers: { 'Retry-After': String(wait) },
        });
      }
      const secret = randomBytes(SECRET_BYTES);
      await db.transaction().execute(async (trx) => {
        await savePendingTotp(trx, userId, cipher.seal(secret.toString('base64')), now);
        await writeAudit(
          trx,
          { actorId: userId, action: 'user.mfa_enrolment_started', targetId: userId },
          now,
        );
      });
      c.header('Cache-Control', 'no-store');
      return c.json(
        { otpauthUri: otpauthUri(secret, user.email, config.TOTP_ISSUER_NAME), secret: base32Encode(secret) },
        200,
      );
    })
    .openapi({ ...confirm, middleware: enrolling }, async (c) => {
      const { code } = c.req.valid('json');
      const { userId, sessionId } = principalOf(c);
      const now = deps.now();
      const recoveryCodes = newRecoveryCodes();
      let ended: string[] = [];
      const outcome = await db.transaction().execute(async (trx) => {
        const totp = await findTotp(trx, userId);
        if (!totp) return 'not_started' as const;
        if (totp.confirmed_at) return 'already_on' as const;
        const step = verifyTotp(openSecret(deps.totpCipher, totp.secret_sealed), code, now);
        if (step === undefined || !(await confirmTotp(trx, userId, step, now))) return 'wrong' as const;
        await replaceRecoveryCodes(trx, userId, recoveryCodes, now);
        // Sessions opened with the password alone end: from now on a session needs both factors.
        ended = await endSessions(trx, { userId, except: sessionId }, 'mfa_enabled', now);
        await emitEvent(trx, twoFactorChanged(userId, 'enabled', now, recoveryCodes.length), { now });
        await writeAudit(
          trx,
          { actorId: userId, action: 'user.mfa_enabled', targetId: userId, details: { ended: ended.length } },
          now,
        );
        return 'on' as const;
      });
      if (outcome === 'not_started') {
        throw new Conflict(
          'mfa_enrolment_not_started',
          'Start the enrolment first (POST /api/v1/auth/mfa/totp).',
        );
      }
      if (outcome === 'already_on')
        throw new Conflict('mfa_already_enabled', 'Two-factor sign-in is already on.');
      if (outcome === 'wrong') {
        throw new Forbidden(
          'mfa_code_wrong',
          'The code is wrong; check the time on the device and try the next one.',
        );
      }
      refuseEndedSessions(deps.revocations, ended, now);
      c.header('Cache-Control', 'no-store');
      return c.json({ recoveryCodes }, 200);
    })
    .openapi({ ...renewRecoveryCodes, middleware: signedIn }, async (c) => {
      const { code } = c.req.valid('json');
      const { userId } = principalOf(c);
      const now = deps.now();
      const user = await getUser(db, userId);
      if (!(await findTotp(db, userId))?.confirmed_at) {
        throw new Conflict('mfa_not_enabled', 'Two-factor sign-in is not on.');
      }
      await assertNotLocked(deps, user, now);
      const recoveryCodes = newRecoveryCodes();
      const renewed = await db.transaction().execute(async (trx) => {
        if (!(await checkSecondFactorCounted(trx, deps, user, { code }, now)).ok) return false;
        await replaceRecoveryCodes(trx, userId, recoveryCodes, now);
        await emitEvent(trx, twoFactorChanged(userId, 'recovery_codes_renewed', now, recoveryCodes.length), {
          now,
        });
        await writeAudit(
          trx,
          { actorId: userId, action: 'user.recovery_codes_renewed', targetId: userId },
          now,
        );
        return true;
      });
      if (!renewed) throw new Forbidden('mfa_code_wrong', 'The code is wrong or was already used.');
      c.header('Cache-Control', 'no-store');
      return c.json({ recoveryCodes }, 200);
    })
    .openapi({ ...disable, middleware: signedIn }, async (c) => {
      const { password, ...factor } = c.req.valid('json');
      const { userId } = principalOf(c);
      const now = deps.now();
      const user = await getUser(db, userId);
      if (requiredFor(user.role)) {
        throw new Forbidden('mfa_required_for_role', 'Administrators must keep two-factor sign-in on.');
      }
      if (!(await findTotp(db, userId))?.confirmed_at) {
        throw new Conflict('mfa_not_enabled', 'Two-factor sign-in is not on.');
      }
      // Wrong passwords and codes count as failed sign-ins of the account, as on the sign-in form.
      await assertCurrentPassword(deps, user, password, now, { clear: false });
      // The schema requires one of the two.
      const proof = proofOf(factor) ?? { code: '' };
      const outcome = await db.transaction().execute(async (trx) => {
        const checked = await checkSecondFactorCounted(trx, deps, user, proof, now);
        if (!checked.ok) return false;
        await deleteTotp(trx, userId);
        await emitEvent(trx, twoFactorChanged(userId, 'disabled', now, null), { now });
        await writeAudit(
          trx,
          {
            actorId: userId,
            action: 'user.mfa_disabled',
            targetId: userId,
            details: { method: checked.method },
          },
          now,
        );
        return true;
      });
      if (!outcome) throw new Forbidden('mfa_code_wrong', 'The code is wrong or was already used.');
      await clearFailures(db, user.email);
      return c.body(null, 204);
    });
}
