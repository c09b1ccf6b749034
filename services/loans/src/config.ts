import { baseConfigShape, checkEventConfig, eventConfigShape, idempotencyConfigShape } from '@bonding/kit';
import { z } from 'zod';

/** DUE_REMINDER_DAYS when unset: a week's notice before each due date. */
export const DUE_REMINDER_DAYS_DEFAULT = 7;

export const loansConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    ...idempotencyConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3004),
    /** Where products are read (with the caller's token). */
    CATALOG_URL: z.url().default('http://127.0.0.1:3003'),
    /** Where bonding files are read (with the caller's token). */
    STUDENTS_URL: z.url().default('http://127.0.0.1:3002'),
    /** Where repayments move money (signed /internal/transfers; the secret is INTERNAL_PEER_SECRETS' ledger=). */
    LEDGER_URL: z.url().default('http://127.0.0.1:3005'),
    /** Per attempt, for calls to catalog, students and ledger. */
    DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).default(3_000),
    /** Further attempts after the first when a dependency times out or answers 5xx. */
    DEPENDENCY_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    /** The lending domain's time zone: in production the business date is the calendar date there. */
    BUSINESS_TIME_ZONE: z
      .string()
      .default('Africa/Blantyre')
      .refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', {
        error: 'must be an IANA time zone such as Africa/Blantyre',
      }),
    /**
     * Whether an admin may move the business date (POST /api/v1/lending/business-date). Default: yes,
     * except in production, where it follows the calendar (set true for a training or test environment).
     */
    BUSINESS_DATE_SETTABLE: z.stringbool().optional(),
    /** How often a replica that follows the calendar checks whether a business date needs closing. */
    CLOSE_OF_BUSINESS_CHECK_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(5 * 60_000),
    /**
     * How many days ahead close of business reminds students of an instalment falling due
     * (loan.instalmentDueSoon@1, once per instalment): closing date D reminds of those due after D and at
     * most this many days after it. 0 turns the reminders off.
     */
    DUE_REMINDER_DAYS: z.coerce.number().int().min(0).max(60).default(DUE_REMINDER_DAYS_DEFAULT),
  })
  .superRefine(checkEventConfig);

/** BUSINESS_DATE_SETTABLE as it applies: unset means settable everywhere but production. */
export const businessDateSettable = (config: Pick<LoansConfig, 'BUSINESS_DATE_SETTABLE' | 'NODE_ENV'>) =>
  config.BUSINESS_DATE_SETTABLE ?? config.NODE_ENV !== 'production';

export type LoansConfig = z.infer<typeof loansConfigSchema>;
