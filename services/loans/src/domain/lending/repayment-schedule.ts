import { addMonths, daysBetween } from '../calendar.js';
import { annuityPayment } from '../schedule.js';
import { accrueDays } from './daily-interest.js';

/** One instalment of a schedule built when repayment starts; minor units. */
export interface ScheduledInstalment {
  /** 1-based. */
  number: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  principal: bigint;
  /** Projected: what accrues day by day between the previous due date (or the start) and this one. */
  interest: bigint;
}

export interface RepaymentPlan {
  /** The balance the schedule repays: principal outstanding when repayment starts (or after a prepayment). */
  balance: bigint;
  annualRateBps: number;
  termMonths: number;
  /** The first day of repayment (or of the rebuilt schedule); instalment k falls due k months after it. */
  startDate: string;
  /** The loan's carry on the start date. */
  carry?: bigint;
  /** The level amount of each instalment; by default the annuity over `termMonths`. */
  payment?: bigint;
  /**
   * Instalments already behind (a schedule rebuilt after a prepayment): the new ones are numbered after
   * them and fall due `elapsedMonths + k` months after `startDate`, so due dates keep their day of month.
   */
  elapsedMonths?: number;
}

/**
 * Level instalments of the annuity amount. Instalment k falls due k months after the start date,
 * counted from the start and clamped to the month's end (a 31 January start falls due on 28/29
 * February, then 31 March). Its interest part is the daily accrual (Actual/365, carry passed on) on the
 * balance left after the earlier instalments, between its due dates; its principal part is the rest of
 * the level amount, never below zero (no negative amortisation); the last takes whatever principal is
 * left, so the principal parts sum exactly to the balance.
 */
export function buildRepaymentSchedule(plan: RepaymentPlan): ScheduledInstalment[] {
  const { balance, annualRateBps, termMonths, startDate } = plan;
  if (balance <= 0n) throw new RangeError('balance must be positive');
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError('termMonths must be ≥ 1');
  const payment = plan.payment ?? annuityPayment(balance, annualRateBps, termMonths);
  const elapsed = plan.elapsedMonths ?? 0;
  const instalments: ScheduledInstalment[] = [];
  let left = balance;
  let carry = plan.carry ?? 0n;
  let from = addMonths(startDate, elapsed);
  for (let k = 1; k <= termMonths && left > 0n; k++) {
    const dueDate = addMonths(startDate, elapsed + k);
    const accrued = accrueDays(left, annualRateBps, carry, daysBetween(from, dueDate));
    carry = accrued.carry;
    const last = k === termMonths;
    const principal = last ? left : clamp(payment - accrued.interest, 0n, left);
    left -= principal;
    instalments.push({ number: elapsed + k, dueDate, principal, interest: accrued.interest });
    from = dueDate;
  }
  return instalments;
}

/** The fewest months whose annuity on `balance` is no more than `payment` (a prepayment's reduce-term). */
export function monthsToRepay(
  balance: bigint,
  annualRateBps: number,
  payment: bigint,
  maxMonths: number,
): number {
  if (payment <= 0n) throw new RangeError('payment must be positive');
  for (let months = 1; months < maxMonths; months++) {
    if (annuityPayment(balance, annualRateBps, months) <= payment) return months;
  }
  return maxMonths;
}

/** `value` within [low, high] (Math.min and Math.max do not take bigints). */
function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  return value > high ? high : value;
}
