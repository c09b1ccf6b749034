import { daysBetween } from '../calendar.js';
import { accrueDays } from './daily-interest.js';
import type { InterestDuringStudy } from './loan-accrual.js';
import { buildRepaymentSchedule, type ScheduledInstalment } from './repayment-schedule.js';

export interface ProjectionInputs {
  /** Principal today (the whole principal before disbursement). */
  principal: bigint;
  accruedInterest: bigint;
  carry: bigint;
  annualRateBps: number;
  termMonths: number;
  interestDuringStudy: InterestDuringStudy;
  /** The first day not yet accrued: the day after the last close of business, or today before any. */
  accruingFrom: string;
  /** The first day of repayment. */
  repaymentStart: string;
}

/**
 * The schedule a daily-interest loan would get if nothing changed until repayment starts: on a
 * capitalising product, the interest still to accrue on today's principal joins it at the start; on a
 * subsidised one the board bears it and the principal is what is repaid.
 */
export function projectRepaymentSchedule(inputs: ProjectionInputs): ScheduledInstalment[] {
  let balance = inputs.principal;
  let carry = inputs.carry;
  if (inputs.interestDuringStudy === 'capitalised') {
    const days = Math.max(0, daysBetween(inputs.accruingFrom, inputs.repaymentStart));
    const ahead = accrueDays(inputs.principal, inputs.annualRateBps, inputs.carry, days);
    balance += inputs.accruedInterest + ahead.interest;
    carry = ahead.carry;
  } else {
    carry = accrueDays(inputs.principal, inputs.annualRateBps, inputs.carry, 0).carry;
  }
  if (balance <= 0n) return [];
  return buildRepaymentSchedule({
    balance,
    annualRateBps: inputs.annualRateBps,
    termMonths: inputs.termMonths,
    startDate: inputs.repaymentStart,
    carry,
  });
}
