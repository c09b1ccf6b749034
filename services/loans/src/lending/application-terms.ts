import type { Product } from '../clients/catalog.js';
import { legacyLendingFields } from '../db/legacy-lending.js';
import type { LoanRow } from '../db/schema.js';
import { Unprocessable } from '../errors.js';

type LendingColumns = Pick<
  LoanRow,
  keyof typeof legacyLendingFields | 'interest_method' | 'interest_during_study' | 'grace_months_after_study'
>;

/** A study end date a new or amended loan may take: not before today's business date. */
export function checkStudyEndDate(studyEndDate: string, businessDate: string): void {
  if (studyEndDate < businessDate) {
    throw new Unprocessable(
      'study_end_date_in_past',
      `The study end date must not be before today's business date, ${businessDate}.`,
      'body.studyEndDate',
    );
  }
}

/**
 * The lending columns of a new loan: a product with study terms puts it on daily interest with the
 * student's expected study end date (required); a product without them keeps the legacy schedule and
 * takes no study end date. The terms are copied, so later product edits never change the loan.
 */
export function lendingColumnsFor(
  product: Pick<Product, 'interestDuringStudy' | 'graceMonthsAfterStudy'>,
  studyEndDate: string | undefined,
  businessDate: string,
): LendingColumns {
  if (product.interestDuringStudy === null || product.graceMonthsAfterStudy === null) {
    if (studyEndDate !== undefined) {
      throw new Unprocessable(
        'study_terms_not_offered',
        'This product has no study terms: leave out studyEndDate.',
        'body.studyEndDate',
      );
    }
    return { ...legacyLendingFields };
  }
  if (studyEndDate === undefined) {
    throw new Unprocessable(
      'study_end_date_required',
      'This product repays after studies: give the expected study end date (YYYY-MM-DD).',
      'body.studyEndDate',
    );
  }
  checkStudyEndDate(studyEndDate, businessDate);
  return {
    ...legacyLendingFields,
    interest_method: 'daily',
    study_end_date: studyEndDate,
    interest_during_study: product.interestDuringStudy,
    grace_months_after_study: product.graceMonthsAfterStudy,
  };
}
