import { uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { insertProduct } from './db/products.js';
import type { CatalogDatabase } from './db/schema.js';
import type { ProductFields } from './routes/schemas.js';

/** Created by the platform itself, not a person: the nil UUID with the v7 version bits. */
export const SEED_AUTHOR = '00000000-0000-7000-8000-000000000000';

/** Amounts in tambala (1 MWK = 100 tambala). */
export const DEMO_PRODUCTS: ProductFields[] = [
  {
    code: 'TUITION-UG',
    name: 'Undergraduate tuition loan',
    description: 'Covers tuition fees at a public university, paid in instalments after graduation.',
    category: 'tuition',
    currency: 'MWK',
    minPrincipal: 20_000_000,
    maxPrincipal: 150_000_000,
    annualRateBps: 300,
    minTermMonths: 12,
    maxTermMonths: 120,
    gracePeriodMonths: 12,
    interestDuringStudy: null,
    graceMonthsAfterStudy: null,
    trancheExpiryDays: null,
    guarantorsRequired: 0,
    active: true,
  },
  {
    code: 'UPKEEP-UG',
    name: 'Undergraduate upkeep loan',
    description: 'Accommodation, meals and books during the academic year.',
    category: 'upkeep',
    currency: 'MWK',
    minPrincipal: 5_000_000,
    maxPrincipal: 60_000_000,
    annualRateBps: 300,
    minTermMonths: 12,
    maxTermMonths: 60,
    gracePeriodMonths: 12,
    interestDuringStudy: null,
    graceMonthsAfterStudy: null,
    trancheExpiryDays: null,
    guarantorsRequired: 0,
    active: true,
  },
  {
    code: 'TUITION-PG',
    name: 'Postgraduate tuition loan',
    description: "Tuition for a master's or doctoral programme.",
    category: 'tuition',
    currency: 'MWK',
    minPrincipal: 50_000_000,
    maxPrincipal: 300_000_000,
    annualRateBps: 500,
    minTermMonths: 12,
    maxTermMonths: 84,
    gracePeriodMonths: 6,
    interestDuringStudy: null,
    graceMonthsAfterStudy: null,
    trancheExpiryDays: null,
    guarantorsRequired: 0,
    active: true,
  },
  {
    code: 'STUDY-DEVICE',
    name: 'Study device loan',
    description: 'A laptop or tablet for coursework, repaid over two years.',
    category: 'other',
    currency: 'MWK',
    minPrincipal: 3_000_000,
    maxPrincipal: 40_000_000,
    annualRateBps: 800,
    minTermMonths: 6,
    maxTermMonths: 24,
    gracePeriodMonths: 0,
    interestDuringStudy: null,
    graceMonthsAfterStudy: null,
    trancheExpiryDays: null,
    guarantorsRequired: 0,
    active: true,
  },
  {
    code: 'STUDENT-LOAN',
    name: 'Student loan, repaid after graduation',
    description:
      'Tuition and upkeep while you study. Interest at 4 % a year is added to the loan while you study ' +
      'and for 12 months after; repayment starts a year after your studies end.',
    category: 'tuition',
    currency: 'MWK',
    minPrincipal: 10_000_000,
    maxPrincipal: 500_000_000,
    annualRateBps: 400,
    minTermMonths: 12,
    maxTermMonths: 120,
    gracePeriodMonths: 0,
    interestDuringStudy: 'capitalised',
    graceMonthsAfterStudy: 12,
    trancheExpiryDays: null,
    guarantorsRequired: 0,
    active: true,
  },
  {
    code: 'STUDENT-TERMS',
    name: 'Student loan paid term by term',
    description:
      'Tuition paid to your institution and upkeep paid to you, one term at a time once your institution ' +
      'confirms your enrolment; a term not paid out within 30 days of its planned date lapses. Needs one ' +
      'guarantor. Interest at 4 % a year is added to the loan while you study and for 12 months after; ' +
      'repayment starts a year after your studies end.',
    category: 'student',
    currency: 'MWK',
    minPrincipal: 10_000_000,
    maxPrincipal: 800_000_000,
    annualRateBps: 400,
    minTermMonths: 12,
    maxTermMonths: 120,
    gracePeriodMonths: 0,
    interestDuringStudy: 'capitalised',
    graceMonthsAfterStudy: 12,
    trancheExpiryDays: 30,
    guarantorsRequired: 1,
    active: true,
  },
];

/**
 * Inserts each demo product whose code is not taken yet. A product an admin
 * changed or archived keeps its code, so it is never recreated or reset.
 */
export async function seedDemoProducts(db: Kysely<CatalogDatabase>, now: Date): Promise<string[]> {
  const existing = new Set(
    (
      await db
        .selectFrom('products')
        .select('code')
        .where(
          'code',
          'in',
          DEMO_PRODUCTS.map((p) => p.code),
        )
        .execute()
    ).map((row) => row.code),
  );
  const added: string[] = [];
  for (const product of DEMO_PRODUCTS) {
    if (existing.has(product.code)) continue;
    await insertProduct(db, uuidv7(now.getTime()), product, SEED_AUTHOR, now);
    added.push(product.code);
  }
  return added;
}
