import { atLeastOneField } from '@bonding/kit';
import { z } from '@hono/zod-openapi';
import { INTEREST_DURING_STUDY, PRODUCT_CATEGORIES, type ProductRow } from '../db/schema.js';

/** Money is an integer count of minor units, never above what JSON numbers carry exactly. */
const minorUnits = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const months = z.number().int().min(1).max(600);

/** The short, stable name staff and students use: products' and institutions' codes alike. */
export const codeSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, { error: 'must be 2–32 upper-case letters, digits or "-"' });

const fieldShape = {
  code: codeSchema.openapi({ example: 'TUITION-2027' }),
  name: z.string().trim().min(1).max(120).openapi({ example: 'Tuition loan 2026/27' }),
  description: z.string().trim().max(2000),
  category: z.enum(PRODUCT_CATEGORIES).openapi({
    description:
      'What the loan pays for: tuition (paid to the institution), upkeep (paid to the student), student ' +
      '(both, a tranche may carry a tuition and an upkeep leg) or other.',
  }),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as MWK' }),
  minPrincipal: minorUnits.openapi({ description: 'Smallest loan, in minor units.', example: 5000000 }),
  maxPrincipal: minorUnits.openapi({ description: 'Largest loan, in minor units.', example: 150000000 }),
  annualRateBps: z
    .number()
    .int()
    .min(0)
    .max(10000)
    .openapi({ description: 'Annual interest in basis points (0–10000 = 0–100 %).', example: 1200 }),
  minTermMonths: months,
  maxTermMonths: months,
  gracePeriodMonths: z.number().int().min(0).max(120).openapi({
    description: 'Months from disbursement to the first instalment, for loans without study terms.',
  }),
  interestDuringStudy: z
    .enum(INTEREST_DURING_STUDY)
    .nullable()
    .openapi({
      description:
        'Study terms: while the student studies and in grace, interest is borne by the board (subsidised) or ' +
        'added to the principal when repayment starts (capitalised). null: no study terms (loans repay on ' +
        'the legacy schedule). Set together with graceMonthsAfterStudy.',
    }),
  graceMonthsAfterStudy: z.number().int().min(0).max(120).nullable().openapi({
    description: 'Study terms: months from the end of studies to the start of repayment (e.g. 12).',
  }),
  trancheExpiryDays: z.number().int().min(1).max(365).nullable().openapi({
    description:
      'Days after its planned date a tranche not yet released lapses (e.g. 30). null: tranches never lapse.',
  }),
  guarantorsRequired: z.number().int().min(0).max(2).openapi({
    description:
      "Guarantors, named from the student's guardians, who must consent before a loan is approved.",
  }),
  active: z.boolean(),
};

/** A whole product, as created or replaced (PUT); optional fields take their defaults. */
export const ProductFieldsSchema = z
  .strictObject({
    ...fieldShape,
    description: fieldShape.description.default(''),
    currency: fieldShape.currency.default('MWK'),
    gracePeriodMonths: fieldShape.gracePeriodMonths.default(0),
    interestDuringStudy: fieldShape.interestDuringStudy.default(null),
    graceMonthsAfterStudy: fieldShape.graceMonthsAfterStudy.default(null),
    trancheExpiryDays: fieldShape.trancheExpiryDays.default(null),
    guarantorsRequired: fieldShape.guarantorsRequired.default(0),
    active: fieldShape.active.default(true),
  })
  .openapi('ProductFields', {
    description:
      'Rules across fields (422 `inconsistent_terms`): minPrincipal ≤ maxPrincipal, minTermMonths ≤ ' +
      'maxTermMonths, and interestDuringStudy and graceMonthsAfterStudy set together or not at all.',
  });

/** Some fields of a product (PATCH); the rest stay as they are. */
export const ProductPatchSchema = atLeastOneField(
  z.strictObject(fieldShape).partial(),
  'name at least one field to change',
).openapi('ProductPatch');

export type ProductFields = z.infer<typeof ProductFieldsSchema>;

export const ProductSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.enum(PRODUCT_CATEGORIES),
    currency: z.string(),
    minPrincipal: z.number().int(),
    maxPrincipal: z.number().int(),
    annualRateBps: z.number().int(),
    minTermMonths: z.number().int(),
    maxTermMonths: z.number().int(),
    gracePeriodMonths: z.number().int(),
    interestDuringStudy: z.enum(INTEREST_DURING_STUDY).nullable(),
    graceMonthsAfterStudy: z.number().int().nullable(),
    trancheExpiryDays: z.number().int().nullable(),
    guarantorsRequired: z.number().int(),
    active: z.boolean(),
    archived: z.boolean(),
    createdBy: z.uuid(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    archivedAt: z.iso.datetime().nullable(),
    version: z.number().int(),
  })
  .openapi('Product');

export type Product = z.infer<typeof ProductSchema>;

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    category: row.category,
    currency: row.currency,
    minPrincipal: Number(row.min_principal),
    maxPrincipal: Number(row.max_principal),
    annualRateBps: row.annual_rate_bps,
    minTermMonths: row.min_term_months,
    maxTermMonths: row.max_term_months,
    gracePeriodMonths: row.grace_period_months,
    interestDuringStudy: row.interest_during_study,
    graceMonthsAfterStudy: row.grace_months_after_study,
    trancheExpiryDays: row.tranche_expiry_days,
    guarantorsRequired: row.guarantors_required,
    active: Boolean(row.active),
    archived: row.archived_at !== null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    archivedAt: row.archived_at?.toISOString() ?? null,
    version: row.version,
  };
}

export const ProductIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a product id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
