import { baseConfigShape, checkEventConfig, eventConfigShape } from '@bonding/kit';
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
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .default(30 * 24 * 3600),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
    LOGIN_FAILURE_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(15 * 60),
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
    EMAIL_VERIFICATION_RESEND_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60 * 60),
    ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(10).max(128).optional()),
  })
  .refine((config) => Boolean(config.ADMIN_EMAIL) === Boolean(config.ADMIN_PASSWORD), {
    path: ['ADMIN_PASSWORD'],
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
  })
  .superRefine(checkEventConfig);

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
