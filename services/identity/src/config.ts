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
    ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(10).max(128).optional()),
  })
  .refine((config) => Boolean(config.ADMIN_EMAIL) === Boolean(config.ADMIN_PASSWORD), {
    path: ['ADMIN_PASSWORD'],
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
  })
  .superRefine(checkEventConfig);

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
