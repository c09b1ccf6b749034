import type { Transaction } from 'kysely';
import { datedInstalments, instalmentsOf } from '../db/loans.js';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import type { DatedInstalment } from '../domain/arrears.js';
import { planDailyRepayment } from '../domain/lending/daily-repayment.js';
import { type PrepaymentStrategy, rebuildAfterPrepayment } from '../domain/lending/prepayment.js';
import { repaymentStartDate } from '../domain/lending/study-phases.js';
import { minorUnits } from '../domain/money.js';

type Trx = Transaction<LoansDatabase>;

/**
 * Applies a repayment to a locked daily-interest loan on business date `today` (the route has checked
 * the amount and, above what is due, the strategy): instalments due are paid, then accrued interest,
 * then principal; principal paid ahead rebuilds the instalments not yet due by the strategy. Answers
 * what is still owed.
 */
export async function applyDailyRepayment(
  trx: Trx,
  loan: LoanRow,
  amount: bigint,
  strategy: PrepaymentStrategy | undefined,
  today: string,
  now: Date,
): Promise<bigint> {
  const instalments = datedInstalments((await instalmentsOf(trx, [loan.id])).get(loan.id) ?? []);
  const principal = minorUnits(loan.principal_outstanding);
  const accruedInterest = minorUnits(loan.accrued_interest);
  const plan = planDailyRepayment(instalments, today, { principal, accruedInterest }, amount);
  for (const part of plan.allocations) {
    await payInstalment(trx, loan.id, part.number, part.interest, part.principal);
  }
  const principalLeft =
    principal - plan.allocations.reduce((sum, part) => sum + part.principal, 0n) - plan.toPrincipal;
  const interestLeft =
    accruedInterest - plan.allocations.reduce((sum, part) => sum + part.interest, 0n) - plan.toInterest;
  const ahead = instalments.filter((instalment) => instalment.dueDate > today);
  if (plan.toPrincipal > 0n && ahead.length > 0) {
    if (!strategy) throw new Error('a prepayment reached the ledger without a strategy');
    await rebuildSchedule(trx, loan, instalments, ahead, principalLeft, strategy);
  }
  if (plan.toInterest > 0n) {
    // Recorded on the instalment whose period it accrued in, so its interest part stays what accrued.
    const current = await trx
      .selectFrom('instalments')
      .select('number')
      .where('loan_id', '=', loan.id)
      .where('due_date', '>', today)
      .orderBy('number')
      .executeTakeFirst();
    if (current) await payInstalment(trx, loan.id, current.number, plan.toInterest, 0n);
  }
  await trx
    .updateTable('loans')
    .set({
      principal_outstanding: principalLeft.toString(),
      accrued_interest: interestLeft.toString(),
      version: loan.version + 1,
      updated_at: now,
    })
    .where('id', '=', loan.id)
    .execute();
  return principalLeft + interestLeft;
}

async function payInstalment(trx: Trx, loanId: string, number: number, interest: bigint, principal: bigint) {
  await trx
    .updateTable('instalments')
    .set((eb) => ({
      interest_paid: eb('interest_paid', '+', interest.toString()),
      principal_paid: eb('principal_paid', '+', principal.toString()),
    }))
    .where('loan_id', '=', loanId)
    .where('number', '=', number)
    .execute();
}

/**
 * The instalments not yet due, rebuilt on the principal left: `reduce-instalment` keeps their number and
 * lowers the amount, `reduce-term` keeps the amount and drops months from the end. Due dates keep counting
 * from the repayment start, so they keep their day of the month.
 */
async function rebuildSchedule(
  trx: Trx,
  loan: LoanRow,
  instalments: DatedInstalment[],
  ahead: DatedInstalment[],
  balance: bigint,
  strategy: PrepaymentStrategy,
) {
  const [next] = ahead;
  if (!next) return;
  const level = next.principalDue + next.interestDue;
  const elapsedMonths = instalments.length - ahead.length;
  await trx
    .deleteFrom('instalments')
    .where('loan_id', '=', loan.id)
    .where('number', '>=', next.number)
    .execute();
  const rebuilt = rebuildAfterPrepayment({
    strategy,
    balance,
    annualRateBps: loan.annual_rate_bps,
    startDate: scheduleStart(loan),
    elapsedMonths,
    carry: minorUnits(loan.interest_carry),
    remainingMonths: ahead.length,
    payment: level,
  });
  if (rebuilt.length === 0) return;
  await trx
    .insertInto('instalments')
    .values(
      rebuilt.map((instalment) => ({
        loan_id: loan.id,
        number: instalment.number,
        due_date: instalment.dueDate,
        principal_due: instalment.principal.toString(),
        interest_due: instalment.interest.toString(),
        principal_paid: '0',
        interest_paid: '0',
        overdue_at: null,
      })),
    )
    .execute();
}

/** Where the loan's schedule counts from: the repayment start date, or the disbursement if that was later. */
function scheduleStart(loan: LoanRow): string {
  if (loan.study_end_date === null || loan.grace_months_after_study === null || loan.disbursed_on === null) {
    throw new Error(`loan ${loan.id} is on daily interest without study terms`);
  }
  const start = repaymentStartDate({
    disbursedOn: loan.disbursed_on,
    studyEndDate: loan.study_end_date,
    graceMonthsAfterStudy: loan.grace_months_after_study,
  });
  // YYYY-MM-DD strings compare as dates.
  return [start, loan.disbursed_on].sort().at(-1) as string;
}
