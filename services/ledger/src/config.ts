import { baseConfigShape, checkEventConfig, eventConfigShape, idempotencyConfigShape } from '@bonding/kit';
import { z } from 'zod';
import { CURRENCY_CODE } from './domain/money.js';

const currencyList = z
  .string()
  .default('MWK')
  .transform((text, ctx) => {
    const codes = [...new Set(text.split(',').map((part) => part.trim().toUpperCase()))].filter(Boolean);
    const bad = codes.filter((code) => !CURRENCY_CODE.test(code));
    if (codes.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'must be comma-separated ISO 4217 codes, e.g. MWK,USD' });
      return z.NEVER;
    }
    return codes;
  });

export const ledgerConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    ...idempotencyConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3005),
    /** Currencies whose funding and cash accounts are created at start (more can be opened by an admin). */
    CURRENCIES: currencyList,
    /** The currency of a wallet opened without naming one. */
    DEFAULT_CURRENCY: z
      .string()
      .default('MWK')
      .transform((code) => code.trim().toUpperCase())
      .pipe(z.string().regex(CURRENCY_CODE, { error: 'must be an ISO 4217 code such as MWK' })),
    /** How often the reconciliation gauges are refreshed; it reads every entry (0: only when an admin asks). */
    RECONCILIATION_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(15 * 60_000),
    /** Cards a wallet may hold that are not cancelled. */
    MAX_CARDS_PER_WALLET: z.coerce.number().int().min(1).max(100).default(5),
  })
  .refine((config) => config.CURRENCIES.includes(config.DEFAULT_CURRENCY), {
    path: ['DEFAULT_CURRENCY'],
    message: 'must be one of CURRENCIES',
  })
  .superRefine(checkEventConfig);

export type LedgerConfig = z.infer<typeof ledgerConfigSchema>;
