import { baseConfigShape, checkEventConfig, eventConfigShape, parseFieldKeys } from '@bonding/kit';
import { z } from 'zod';

const base64Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  error: 'must be 32 random bytes, base64',
});

export const studentsConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    /** `kid:base64key,...` — AES-256 keys for national IDs and account numbers; old kids stay to read old values. */
    FIELD_ENCRYPTION_KEYS: z
      .string()
      .min(1)
      .transform((text, ctx) => {
        try {
          return parseFieldKeys(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** The kid that seals new values; defaults to the last one listed. */
    FIELD_ENCRYPTION_ACTIVE_KID: z.string().optional(),
    /** The key of the blind indexes that keep national IDs unique and spot a bank account filed twice. */
    BLIND_INDEX_KEY: base64Key.transform((value) => Buffer.from(value, 'base64')),
  })
  .superRefine(checkEventConfig)
  .transform((config, ctx) => {
    const activeKid = config.FIELD_ENCRYPTION_ACTIVE_KID ?? [...config.FIELD_ENCRYPTION_KEYS.keys()].at(-1);
    if (!activeKid || !config.FIELD_ENCRYPTION_KEYS.has(activeKid)) {
      ctx.addIssue({
        code: 'custom',
        path: ['FIELD_ENCRYPTION_ACTIVE_KID'],
        message: 'names no key in FIELD_ENCRYPTION_KEYS',
      });
      return z.NEVER;
    }
    return { ...config, FIELD_ENCRYPTION_ACTIVE_KID: activeKid };
  });

export type StudentsConfig = z.infer<typeof studentsConfigSchema>;
