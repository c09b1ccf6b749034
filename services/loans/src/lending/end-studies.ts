import { Conflict } from '@bonding/kit';
import type { Transaction } from 'kysely';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import { type Phase, phaseOn, studyEndProblem } from '../domain/lending/study-phases.js';
import { minorUnits } from '../domain/money.js';
import { invalidTransition, Unprocessable } from '../errors.js';
import { enterPhase } from './loan-day.js';
import { cancelOpenTranches } from './tranches.js';

export interface StudyEnd {
  /** The business date studies ended (today's or later, before the expected end). */
  date: string;
  reason: string;
  actorId: string;
}

/**
 * Staff end a locked loan's studies early: its study end date becomes `end.date`, so grace starts then
 * (close of business moves it; at once when that is today). A history entry keeps who, why and when.
 */
export async function endStudies(
  trx: Transaction<LoansDatabase>,
  loan: LoanRow,
  end: StudyEnd,
  today: string,
  now: Date,
): Promise<LoanRow> {
  if (loan.status !== 'DISBURSED') throw invalidTransition(loan.status, 'end studies');
  if (loan.interest_method !== 'daily' || loan.phase !== 'IN_SCHOOL') {
    throw new Conflict(
      'not_in_school',
      loan.interest_method === 'daily'
        ? `The loan is in ${loan.phase}: only a loan IN_SCHOOL can end its studies.`
        : 'The loan has no study terms (legacy method).',
      { extensions: { phase: loan.phase } },
    );
  }
  const { study_end_date: expected, disbursed_on: disbursedOn, grace_months_after_study: grace } = loan;
  if (expected === null || disbursedOn === null || grace === null) {
    throw new Error(`loan ${loan.id} is on daily interest without study terms`);
  }
  const problem = studyEndProblem(end.date, disbursedOn, today);
  if (problem) throw new Unprocessable('study_end_date_invalid', `The date ${problem}.`, 'body.date');
  if (end.date >= expected) {
    throw new Unprocessable(
      'study_end_date_invalid',
      `The date must be before the expected study end date, ${expected}: studies end early, never later.`,
      'body.date',
    );
  }
  await trx
    .insertInto('lending_history')
    .values({
      loan_id: loan.id,
      kind: 'studies_ended',
      from_phase: null,
      to_phase: null,
      amount: null,
      business_date: end.date,
      actor_id: end.actorId,
      reason: end.reason,
      occurred_at: now,
    })
    .execute();
  let state = {
    principal: minorUnits(loan.principal_outstanding),
    accruedInterest: minorUnits(loan.accrued_interest),
    subsidy: minorUnits(loan.subsidy),
    carry: minorUnits(loan.interest_carry),
  };
  let phase: Phase = loan.phase;
  if (end.date === today) {
    const next = phaseOn(today, { disbursedOn, studyEndDate: end.date, graceMonthsAfterStudy: grace });
    state = await enterPhase(trx, loan, state, loan.phase, next, today, now);
    phase = next;
  }
  const changes = {
    study_end_date: end.date,
    phase,
    principal_outstanding: state.principal.toString(),
    accrued_interest: state.accruedInterest.toString(),
    version: loan.version + 1,
    updated_at: now,
  };
  await trx.updateTable('loans').set(changes).where('id', '=', loan.id).execute();
  // Terms not yet paid out will not be studied.
  await cancelOpenTranches(trx, loan.id, now);
  return { ...loan, ...changes };
}
