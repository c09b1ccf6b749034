import { accrueDay } from './daily-interest.js';
import type { Phase } from './study-phases.js';

/** What a student loan has accrued, in minor units, and the carry below one unit. */
export interface AccrualState {
  /** Outstanding principal: what interest accrues on. */
  principal: bigint;
  /** Interest the borrower owes and has not paid (not yet capitalised). */
  accruedInterest: bigint;
  /** Interest the board bore for the borrower in subsidised periods: reported, never owed. */
  subsidy: bigint;
  carry: bigint;
}

/** Whether interest while studying (and in grace) is borne by the board or added to the loan. */
export type InterestDuringStudy = 'subsidised' | 'capitalised';

/**
 * Close of one day: the day's interest goes to the subsidy while the product subsidises the phase
 * (`IN_SCHOOL` and `GRACE`), otherwise to what the borrower owes.
 */
export function closeDay(
  state: AccrualState,
  phase: Phase,
  terms: { annualRateBps: number; interestDuringStudy: InterestDuringStudy },
): AccrualState {
  const { interest, carry } = accrueDay(state.principal, terms.annualRateBps, state.carry);
  const subsidised = phase !== 'REPAYMENT' && terms.interestDuringStudy === 'subsidised';
  return subsidised
    ? { ...state, subsidy: state.subsidy + interest, carry }
    : { ...state, accruedInterest: state.accruedInterest + interest, carry };
}

/**
 * GRACE → REPAYMENT on a capitalising product: the accrued whole units join the principal (its own
 * history entry with `capitalised`); the carry stays carry.
 */
export function capitalise(state: AccrualState): { state: AccrualState; capitalised: bigint } {
  const capitalised = state.accruedInterest;
  return { state: { ...state, principal: state.principal + capitalised, accruedInterest: 0n }, capitalised };
}
