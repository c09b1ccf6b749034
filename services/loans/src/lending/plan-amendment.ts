import type { Transaction } from 'kysely';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import { Unprocessable } from '../errors.js';
import { voidConsents } from './guarantors.js';
import type { LoanPlan } from './tranche-application.js';
import { insertTranches } from './tranches.js';

type Trx = Transaction<LoansDatabase>;

/**
 * A NEW loan's tranches follow its amended terms: a new plan replaces the old one (and sets the
 * principal); without one, a `single` loan's one tranche takes the new principal, while a `tranches` loan's
 * principal can only change through its plan. Answers the loan's columns that change with it.
 */
export async function amendPlan(
  trx: Trx,
  loan: LoanRow,
  change: { plan: LoanPlan | undefined; principal: bigint | undefined; academicYear: string },
  now: Date,
): Promise<Partial<LoanRow>> {
  // Guarantors agreed to the old terms: new ones must be put to them again (lending-model.md, "Guarantors").
  if (change.plan || (change.principal !== undefined && change.principal !== BigInt(loan.principal))) {
    await voidConsents(trx, loan, now);
  }
  if (change.plan) {
    await trx.deleteFrom('tranches').where('loan_id', '=', loan.id).execute();
    await insertTranches(trx, loan.id, change.plan.tranches, now);
    return {
      principal: change.plan.principal.toString(),
      disbursement_method: change.plan.method,
      institution_id: change.plan.institutionId,
      programme: change.plan.programme,
    };
  }
  if (change.principal === undefined) return {};
  if (loan.disbursement_method === 'tranches') {
    throw new Unprocessable(
      'principal_not_plan_total',
      "This loan's principal is its tranche plan's total: change the tranches instead.",
      'body.principal',
    );
  }
  if (loan.disbursement_method === 'single') {
    await trx
      .updateTable('tranches')
      .set({ upkeep: change.principal.toString(), term_label: change.academicYear, updated_at: now })
      .where('loan_id', '=', loan.id)
      .execute();
  }
  return { principal: change.principal.toString() };
}
