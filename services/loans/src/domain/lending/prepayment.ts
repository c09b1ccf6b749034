import { annuityPayment } from '../schedule.js';
import { buildRepaymentSchedule, monthsToRepay, type ScheduledInstalment } from './repayment-schedule.js';

/** What a borrower paying more than is due chooses: a shorter loan, or smaller instalments. */
export type PrepaymentStrategy = 'reduce-term' | 'reduce-instalment';
export const PREPAYMENT_STRATEGIES: readonly PrepaymentStrategy[] = ['reduce-term', 'reduce-instalment'];

export interface PrepaymentInputs {
  /** What the borrower pays, minor units, > 0. */
  amount: bigint;
  /** What is due now (instalments due and unpaid): paid first, by the usual allocation. */
  due: bigint;
  /** Interest accrued and not yet part of a due instalment. */
  accruedInterest: bigint;
  /** Principal not yet part of a due instalment. */
  principal: bigint;
}

export interface PrepaymentSplit {
  toDue: bigint;
  toInterest: bigint;
  toPrincipal: bigint;
}

/**
 * A payment above what is due: first what is due, then the interest accrued so far, then principal.
 * Never future interest: interest that has not accrued yet is not owed. More than all of it is refused
 * (the caller answers 422 with the payoff amount).
 */
export function splitPrepayment(inputs: PrepaymentInputs): PrepaymentSplit {
  const { amount, due, accruedInterest, principal } = inputs;
  if (amount <= 0n) throw new RangeError('amount must be positive');
  if (amount > due + accruedInterest + principal)
    throw new RangeError('amount exceeds what settles the loan');
  const toDue = min(amount, due);
  const toInterest = min(amount - toDue, accruedInterest);
  return { toDue, toInterest, toPrincipal: amount - toDue - toInterest };
}

export interface Rebuild {
  strategy: PrepaymentStrategy;
  /** Principal left after the prepayment. */
  balance: bigint;
  annualRateBps: number;
  /**
   * The date the schedule counts from: the last due date on or before the payment, or (with
   * `elapsedMonths`, the instalments already behind) the repayment start date.
   */
  startDate: string;
  elapsedMonths?: number;
  carry: bigint;
  /** Instalments the old schedule still had to run, and its level amount. */
  remainingMonths: number;
  payment: bigint;
}

/**
 * The schedule after a prepayment: `reduce-instalment` keeps the months left and lowers the amount;
 * `reduce-term` keeps (at most) the amount and drops months from the end.
 */
export function rebuildAfterPrepayment(rebuild: Rebuild): ScheduledInstalment[] {
  if (rebuild.balance === 0n) return [];
  const common = {
    balance: rebuild.balance,
    annualRateBps: rebuild.annualRateBps,
    startDate: rebuild.startDate,
    carry: rebuild.carry,
    elapsedMonths: rebuild.elapsedMonths ?? 0,
  };
  if (rebuild.strategy === 'reduce-instalment') {
    return buildRepaymentSchedule({ ...common, termMonths: rebuild.remainingMonths });
  }
  const months = monthsToRepay(
    rebuild.balance,
    rebuild.annualRateBps,
    rebuild.payment,
    rebuild.remainingMonths,
  );
  const payment = min(rebuild.payment, annuityPayment(rebuild.balance, rebuild.annualRateBps, months));
  return buildRepaymentSchedule({ ...common, termMonths: months, payment });
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
