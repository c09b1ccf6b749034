import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import type { Insertable, Kysely } from 'kysely';
import { legacyLendingFields } from '../src/db/legacy-lending.js';
import type { LoanRow, LoansDatabase, LoansTable } from '../src/db/schema.js';

/**
 * A disbursed daily-interest loan as a row of `loans`, for writing straight into the table (loans are not
 * raised on daily interest through the API yet): 10,000.00 at 4 % over 12 months, disbursed 2027-09-01,
 * studies ending 2029-06-30, 12 months of grace, interest capitalised — docs/lending-model.md's worked
 * example. Every call has new ids; the tests and the bench's book (bench/lib/close-of-business.ts) share it.
 */
export function dailyLoanRow(overrides: Partial<LoanRow> = {}): Insertable<LoansTable> & { id: string } {
  const at = new Date();
  return {
    id: uuidv7(),
    student_id: randomUUID(),
    created_by: randomUUID(),
    product_id: randomUUID(),
    principal: '1000000',
    term_months: 12,
    purpose: 'tuition',
    academic_year: '2027/2028',
    currency: 'MWK',
    annual_rate_bps: 400,
    grace_period_months: 0,
    min_principal: '1',
    max_principal: '100000000',
    min_term_months: 1,
    max_term_months: 120,
    status: 'DISBURSED',
    version: 1,
    decided_by: null,
    failure_reason: null,
    disbursed_at: at,
    disbursement_transfer_id: randomUUID(),
    idempotency_key: randomUUID(),
    created_at: at,
    updated_at: at,
    ...legacyLendingFields,
    interest_method: 'daily',
    phase: 'IN_SCHOOL',
    study_end_date: '2029-06-30',
    interest_during_study: 'capitalised',
    grace_months_after_study: 12,
    disbursed_on: '2027-09-01',
    principal_outstanding: '1000000',
    ...overrides,
  };
}

/** Writes one dailyLoanRow(overrides) into the table; answers its id. */
export async function insertDailyLoan(
  db: Kysely<LoansDatabase>,
  overrides: Partial<LoanRow> = {},
): Promise<string> {
  const row = dailyLoanRow(overrides);
  await db.insertInto('loans').values(row).execute();
  return row.id;
}
