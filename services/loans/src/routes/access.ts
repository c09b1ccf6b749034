import { Forbidden, type Principal } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { findLoan } from '../db/loans.js';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import { loanNotFound } from '../errors.js';

/** Loan officers and admins see every loan; a student sees their own. */
export const isStaff = (principal: Principal) => principal.role === 'admin' || principal.role === 'agent';

/** A loan the caller may see; anything else is 404, as if it did not exist. */
export async function visibleLoan(
  db: Kysely<LoansDatabase>,
  principal: Principal,
  id: string,
): Promise<LoanRow> {
  const row = await findLoan(db, id);
  if (!row || (!isStaff(principal) && row.student_id !== principal.userId)) throw loanNotFound(id);
  return row;
}

/** Terms may be edited, and the application withdrawn, by whoever raised it or the student it is for. */
export function assertMayAmend(principal: Principal, loan: LoanRow, allowAdmin: boolean): void {
  const party = loan.created_by === principal.userId || loan.student_id === principal.userId;
  if (!party && !(allowAdmin && principal.role === 'admin')) {
    throw new Forbidden('not_loan_party', 'Only whoever raised this loan, or its student, may change it.');
  }
}

/** Four eyes: whoever raised a loan never decides it. */
export function assertNotRaiser(principal: Principal, loan: LoanRow): void {
  if (loan.created_by === principal.userId) {
    throw new Forbidden(
      'four_eyes',
      'A loan must be decided by someone other than the person who raised it.',
    );
  }
}
