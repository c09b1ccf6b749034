import { emitEvent } from '@bonding/kit';
import type { Transaction } from 'kysely';
import { datedInstalments, instalmentsOf } from '../db/loans.js';
import type { LendingHistoryTable, LoansDatabase } from '../db/schema.js';
import { billInterest } from '../domain/lending/instalment-interest.js';
import {
  type AccrualState,
  capitalise,
  closeDay,
  type InterestDuringStudy,
} from '../domain/lending/loan-accrual.js';
import { buildRepaymentSchedule, type ScheduledInstalment } from '../domain/lending/repayment-schedule.js';
import { type Phase, phaseOn, type StudyTerms } from '../domain/lending/study-phases.js';
import { dateText, nextDate } from './business-date.js';
import { announceRepaymentStart } from './repayment-started.js';

type Trx = Transaction<LoansDatabase>;

/** The loan as close of business reads it: its terms and accrual state, dates as YYYY-MM-DD. */
async function lockLoan(trx: Trx, loanId: string) {
  return trx
    .selectFrom('loans')
    .select([
      'id',
      'student_id',
      'status',
      'interest_method',
      'phase',
      'currency',
      'annual_rate_bps',
      'term_months',
      'interest_during_study',
      'grace_months_after_study',
      'principal_outstanding',
      'accrued_interest',
      'subsidy',
      'interest_carry',
      'version',
    ])
    .select([
      dateText('study_end_date').as('study_end'),
      dateText('disbursed_on').as('disbursed'),
      dateText('accrued_through').as('accrued_through_date'),
    ])
    .where('id', '=', loanId)
    .forUpdate()
    .executeTakeFirst();
}

type LockedLoan = NonNullable<Awaited<ReturnType<typeof lockLoan>>>;

/** What a phase move reads of a loan. */
type PhaseLoan = Pick<
  LockedLoan,
  'id' | 'student_id' | 'currency' | 'annual_rate_bps' | 'term_months' | 'interest_during_study'
>;

/**
 * The loan moves from phase `from` to `to` on business date `on` (a history entry and loan.phaseChanged).
 * Entering repayment capitalises the accrued interest on a capitalising product, then builds the schedule
 * from `on` and announces it (loan.repaymentStarted). Answers the accrual state after; the caller writes it to the loan.
 */
export async function enterPhase(
  trx: Trx,
  loan: PhaseLoan,
  state: AccrualState,
  from: Phase,
  to: Phase,
  on: string,
  now: Date,
): Promise<AccrualState> {
  let after = state;
  if (to === 'REPAYMENT') {
    if (loan.interest_during_study === 'capitalised') {
      const result = capitalise(state);
      after = result.state;
      await capitalised(trx, loan, result.capitalised, on, now);
    }
    const schedule = await insertRepaymentSchedule(trx, loan, after.principal, after.carry, on);
    await announceRepaymentStart(trx, loan, schedule, on, now);
  }
  await recordPhaseChange(trx, loan, from, to, on, now);
  return after;
}

async function alreadyClosed(trx: Trx, loanId: string, date: string): Promise<boolean> {
  const row = await trx
    .selectFrom('cob_loan_days')
    .select('loan_id')
    .where('loan_id', '=', loanId)
    .where(dateText('business_date'), '=', date)
    .executeTakeFirst();
  return row !== undefined;
}

/** One entry of the loan's lending history, moved by close of business (no actor), dated `on`. */
async function recordLendingHistory(
  trx: Trx,
  loanId: string,
  entry: Pick<LendingHistoryTable, 'kind'> &
    Partial<Pick<LendingHistoryTable, 'from_phase' | 'to_phase' | 'amount'>>,
  on: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('lending_history')
    .values({
      loan_id: loanId,
      from_phase: null,
      to_phase: null,
      amount: null,
      ...entry,
      business_date: on,
      actor_id: null,
      reason: null,
      occurred_at: now,
    })
    .execute();
}

async function recordPhaseChange(trx: Trx, loan: PhaseLoan, from: Phase, to: Phase, on: string, now: Date) {
  await recordLendingHistory(
    trx,
    loan.id,
    { kind: 'phase_changed', from_phase: from, to_phase: to },
    on,
    now,
  );
  await emitEvent(
    trx,
    {
      type: 'loan.phaseChanged',
      version: 1,
      data: { loanId: loan.id, studentId: loan.student_id, from, to, businessDate: on },
    },
    { now },
  );
}

/**
 * Closes one loan's business date, in the caller's transaction, exactly once: the loan row is locked, a
 * (loan, date) row already there means another run (a replica, or this one before a crash) closed it.
 * In order: the day's interest under the day's phase; then, if tomorrow starts repayment, capitalisation
 * (or nothing more on a subsidised product) and the schedule; or, if tomorrow starts grace, the move.
 * Answers whether this call closed it.
 */
export async function closeLoanDay(trx: Trx, loanId: string, date: string, now: Date): Promise<boolean> {
  const loan = await lockLoan(trx, loanId);
  if (loan?.status !== 'DISBURSED' || loan.interest_method !== 'daily') return false;
  if (await alreadyClosed(trx, loanId, date)) return false;
  if (!loan.disbursed || !loan.study_end || loan.grace_months_after_study === null) {
    throw new Error(`loan ${loanId} is on daily interest without study terms`);
  }
  const terms: StudyTerms = {
    disbursedOn: loan.disbursed,
    studyEndDate: loan.study_end,
    graceMonthsAfterStudy: loan.grace_months_after_study,
  };
  const interestDuringStudy = (loan.interest_during_study ?? 'capitalised') as InterestDuringStudy;
  const today = phaseOn(date, terms);
  const before: AccrualState = {
    principal: BigInt(loan.principal_outstanding),
    accruedInterest: BigInt(loan.accrued_interest),
    subsidy: BigInt(loan.subsidy),
    carry: BigInt(loan.interest_carry),
  };
  let state = closeDay(before, today, { annualRateBps: loan.annual_rate_bps, interestDuringStudy });
  const tomorrow = nextDate(date);
  if (today === 'REPAYMENT') {
    await billDay(trx, loanId, date, tomorrow, state, state.accruedInterest - before.accruedInterest);
  }
  const next = phaseOn(tomorrow, terms);
  if (next !== today) state = await enterPhase(trx, loan, state, today, next, tomorrow, now);
  await trx
    .updateTable('loans')
    .set({
      phase: next,
      principal_outstanding: state.principal.toString(),
      accrued_interest: state.accruedInterest.toString(),
      subsidy: state.subsidy.toString(),
      interest_carry: state.carry.toString(),
      accrued_through: date,
      version: loan.version + 1,
      updated_at: now,
    })
    .where('id', '=', loanId)
    .execute();
  await trx
    .insertInto('cob_loan_days')
    .values({ loan_id: loanId, business_date: date, processed_at: now })
    .execute();
  return true;
}

/** In repayment: the instalment falling due tomorrow gets its actual interest (billInterest). */
async function billDay(
  trx: Trx,
  loanId: string,
  date: string,
  tomorrow: string,
  state: AccrualState,
  dayInterest: bigint,
) {
  const rows = (await instalmentsOf(trx, [loanId])).get(loanId) ?? [];
  const changes = billInterest(datedInstalments(rows), date, tomorrow, state, dayInterest);
  for (const change of changes) {
    await trx
      .updateTable('instalments')
      .set({ principal_due: change.principalDue.toString(), interest_due: change.interestDue.toString() })
      .where('loan_id', '=', loanId)
      .where('number', '=', change.number)
      .execute();
  }
}

async function capitalised(trx: Trx, loan: PhaseLoan, amount: bigint, on: string, now: Date) {
  await recordLendingHistory(
    trx,
    loan.id,
    { kind: 'interest_capitalised', amount: amount.toString() },
    on,
    now,
  );
  await emitEvent(
    trx,
    {
      type: 'loan.interestCapitalised',
      version: 1,
      data: {
        loanId: loan.id,
        studentId: loan.student_id,
        amount: { amountMinor: amount.toString(), currency: loan.currency },
        businessDate: on,
      },
    },
    { now },
  );
}

/**
 * The schedule of a loan entering repayment on `startDate` (lending-model.md, "The schedule"); answers
 * what it inserted (nothing when nothing is left to repay).
 */
export async function insertRepaymentSchedule(
  trx: Trx,
  loan: Pick<LockedLoan, 'id' | 'annual_rate_bps' | 'term_months'>,
  balance: bigint,
  carry: bigint,
  startDate: string,
): Promise<ScheduledInstalment[]> {
  if (balance <= 0n) return [];
  const schedule = buildRepaymentSchedule({
    balance,
    annualRateBps: loan.annual_rate_bps,
    termMonths: loan.term_months,
    startDate,
    carry,
  });
  await trx
    .insertInto('instalments')
    .values(
      schedule.map((instalment) => ({
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
  return schedule;
}
