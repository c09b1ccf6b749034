import { baseConfigShape, checkEventConfig, eventConfigShape, parseFieldKeys } from '@bonding/kit';
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const identityConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** A folder of PKCS#8 PEM private keys named `<kid>.pem`; all are published in the JWKS. */
    JWT_KEYS_DIR: z.string().min(1),
    /** The kid that signs new tokens; defaults to the last kid in name order. */
    JWT_ACTIVE_KID: optionalString,
    /**
     * Prepended to every kid in tokens (header `kid`) and in the JWKS; the key files keep their names and
     * JWT_ACTIVE_KID names a file. The chart sets `<namespace>/<release>/`, so two releases behind one
     * Kong publish distinct jwt credential keys (Kong looks a token's credential up by this kid).
     */
    JWT_KID_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{0,160}$/, { error: 'letters, digits, ".", "_", "-" and "/" only' })
      .default(''),
    /** Access-token lifetime. */
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    /** Session (refresh-token family) lifetime. */
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .default(30 * 24 * 3600),
    /** Sign-in lockout: this many failures for one e-mail within the window … */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
    /** … counted over this window … */
    LOGIN_FAILURE_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(15 * 60),
    /** … lock the e-mail for this long (429 with Retry-After). */
    LOGIN_LOCKOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(5 * 60),
    /** Lifetime of a password-reset code sent by e-mail. */
    PASSWORD_RESET_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .default(30 * 60),
    /** Password resets asked for one e-mail (known or not) within the window; more get 429. */
    PASSWORD_RESET_MAX_REQUESTS: z.coerce.number().int().min(1).default(3),
    /** The window of PASSWORD_RESET_MAX_REQUESTS. */
    PASSWORD_RESET_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60 * 60),
    /** Lifetime of an e-mail verification code. */
    EMAIL_VERIFICATION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .default(48 * 3600),
    /** New verification codes a user may ask for within the window; more get 429. */
    EMAIL_VERIFICATION_RESEND_MAX: z.coerce.number().int().min(1).default(3),
    /** The window of EMAIL_VERIFICATION_RESEND_MAX. */
    EMAIL_VERIFICATION_RESEND_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60 * 60),
    /** Lifetime of the code that confirms a new e-mail address (sent to that address). */
    EMAIL_CHANGE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(7 * 24 * 3600)
      .default(24 * 3600),
    /** E-mail changes a user may ask for within the window (each mails a code to an address they choose). */
    EMAIL_CHANGE_MAX_REQUESTS: z.coerce.number().int().min(1).default(3),
    /** The window of EMAIL_CHANGE_MAX_REQUESTS. */
    EMAIL_CHANGE_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60 * 60),
    /**
     * `kid:base64key,...` — AES-256 keys that seal TOTP secrets at rest; older kids stay to open older
     * secrets. Required in production; without it (local runs, tests that need no two-factor) TOTP
     * enrolment answers 503.
     */
    FIELD_ENCRYPTION_KEYS: optionalString.transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return parseFieldKeys(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    /** The kid that seals new secrets; defaults to the last one listed. */
    FIELD_ENCRYPTION_ACTIVE_KID: optionalString,
    /** Admins must sign in with a second factor; an admin without one gets a token good only for enrolling. */
    MFA_REQUIRED_FOR_ADMINS: z.stringbool().default(false),
    /** How long the second step of a two-factor sign-in may wait for its code. */
    MFA_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(300),
    /** Wrong codes one challenge takes before it is spent (the account's sign-in lockout applies too). */
    MFA_CHALLENGE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** Lifetime of the enrolment-only token an admin gets when MFA_REQUIRED_FOR_ADMINS is on (Kong allows ≤ 960). */
    MFA_ENROLMENT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(600),
    /** The issuer name authenticator apps show next to the account. */
    TOTP_ISSUER_NAME: z.string().min(1).max(64).default('Bonding Platform'),
    /** The first admin, created at start if that e-mail has no account (with ADMIN_PASSWORD). */
    ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
    /** The first admin's password (with ADMIN_EMAIL). */
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(10).max(128).optional()),
  })
  .refine((config) => Boolean(config.ADMIN_EMAIL) === Boolean(config.ADMIN_PASSWORD), {
    path: ['ADMIN_PASSWORD'],
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
  })
  .superRefine(checkEventConfig)
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.FIELD_ENCRYPTION_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['FIELD_ENCRYPTION_KEYS'],
        message: 'is required in production (it seals TOTP secrets)',
      });
    }
    const keys = config.FIELD_ENCRYPTION_KEYS;
    const activeKid = config.FIELD_ENCRYPTION_ACTIVE_KID;
    if (keys && activeKid && !keys.has(activeKid)) {
      ctx.addIssue({
        code: 'custom',
        path: ['FIELD_ENCRYPTION_ACTIVE_KID'],
        message: 'names no key in FIELD_ENCRYPTION_KEYS',
      });
    }
  });

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
