import { z } from 'zod';
import { addMonths } from '../calendar.js';

/**
 * Where a disbursed student loan stands: studying (`IN_SCHOOL`, from disbursement to the study end date),
 * in the legal grace period after studies (`GRACE`, the product's months), or repaying (`REPAYMENT`).
 * Dates are business dates, YYYY-MM-DD; a phase starts on its first day.
 */
export type Phase = 'IN_SCHOOL' | 'GRACE' | 'REPAYMENT';

export interface StudyTerms {
  /** The business date the money went out. */
  disbursedOn: string;
  /** The expected end of studies, or the date staff ended them early (end-studies). */
  studyEndDate: string;
  graceMonthsAfterStudy: number;
}

/** The first day of repayment: the grace months after the study end date (clamped to the month's end). */
export function repaymentStartDate(terms: StudyTerms): string {
  if (!Number.isInteger(terms.graceMonthsAfterStudy) || terms.graceMonthsAfterStudy < 0) {
    throw new RangeError('graceMonthsAfterStudy must be a whole number ≥ 0');
  }
  return addMonths(terms.studyEndDate, terms.graceMonthsAfterStudy);
}

export function phaseOn(date: string, terms: StudyTerms): Phase {
  if (date < terms.studyEndDate) return 'IN_SCHOOL';
  return date < repaymentStartDate(terms) ? 'GRACE' : 'REPAYMENT';
}

/** Why a study end date cannot be taken, or undefined when it can (for a field-level 422). */
export function studyEndProblem(
  studyEndDate: string,
  disbursedOn: string,
  businessDate: string,
): string | undefined {
  // zod's calendar check: Date.parse would roll 30 February over into March.
  if (!z.iso.date().safeParse(studyEndDate).success) return 'must be a date, YYYY-MM-DD';
  if (studyEndDate < disbursedOn) return 'must not be before the disbursement';
  if (studyEndDate < businessDate) return 'must not be in the past (before the business date)';
  return undefined;
}
