import type { LoanRow } from './schema.js';

/**
 * The lending model's columns of a loan on the legacy method: its schedule is built at disbursement
 * (domain/schedule.ts) and close of business leaves it alone; once disbursed it is simply repaying.
 */
export const legacyLendingFields = {
  interest_method: 'legacy',
  phase: null,
  study_end_date: null,
  interest_during_study: null,
  grace_months_after_study: null,
  disbursed_on: null,
  principal_outstanding: '0',
  accrued_interest: '0',
  subsidy: '0',
  interest_carry: '0',
  accrued_through: null,
  disbursement_method: 'whole',
  institution_id: null,
  programme: null,
  tranche_expiry_days: null,
  guarantors_required: 0,
} as const satisfies Partial<LoanRow>;
