import type { DatedInstalment } from '../arrears.js';
import { type Allocation, allocateRepayment, outstandingOf } from '../repayment.js';
import type { RepayingLoan } from './instalment-interest.js';
import { splitPrepayment } from './prepayment.js';

/** How a repayment of a daily-interest loan is applied. */
export interface DailyRepaymentPlan {
  /** To instalments already due, earliest first, each one's interest before its principal. */
  allocations: Allocation[];
  /** To interest accrued since the last due date (never interest still to accrue). */
  toInterest: bigint;
  /** To principal beyond what is due: the schedule is rebuilt from what is left. */
  toPrincipal: bigint;
}

/** What is due on business date `today`: the unpaid instalments whose due date has come. */
export const dueOn = (instalments: readonly DatedInstalment[], today: string) =>
  instalments.filter((instalment) => instalment.dueDate <= today);

/** What settles the loan today: its principal and the interest accrued (the carry is never asked for). */
export const settlementOf = (loan: RepayingLoan) => loan.principal + loan.accruedInterest;

/**
 * Up to what is due, a repayment goes to the due instalments as always; above it (a prepayment), first
 * what is due, then interest accrued so far, then principal. More than settles the loan is a RangeError
 * (the route has answered 422 before).
 */
export function planDailyRepayment(
  instalments: readonly DatedInstalment[],
  today: string,
  loan: RepayingLoan,
  amount: bigint,
): DailyRepaymentPlan {
  const due = dueOn(instalments, today);
  const dueTotal = outstandingOf(due);
  const billedInterest = due.reduce((sum, i) => sum + (i.interestDue - i.interestPaid), 0n);
  const split = splitPrepayment({
    amount,
    due: dueTotal,
    accruedInterest: loan.accruedInterest - billedInterest,
    principal: loan.principal - (dueTotal - billedInterest),
  });
  return {
    allocations: split.toDue > 0n ? allocateRepayment(due, split.toDue) : [],
    toInterest: split.toInterest,
    toPrincipal: split.toPrincipal,
  };
}
