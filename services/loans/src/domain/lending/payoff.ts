import { daysBetween } from '../calendar.js';
import { accrueDays } from './daily-interest.js';

export interface PayoffInputs {
  /** Outstanding principal (overdue instalments' principal parts included). */
  principal: bigint;
  /** Interest accrued and unpaid through `accruedThrough` (overdue interest parts included). */
  accruedInterest: bigint;
  carry: bigint;
  /** Charges owed beyond principal and interest (late fees, once servicing adds them); today zero. */
  overdueCharges: bigint;
  annualRateBps: number;
  /** The last business date close of business accrued. */
  accruedThrough: string;
  /** The date the borrower would pay: a business date, today's or later. */
  payoffDate: string;
}

export interface PayoffQuote {
  principal: bigint;
  interest: bigint;
  charges: bigint;
  total: bigint;
}

/**
 * What settles the loan on `payoffDate`: the principal, the interest accrued to that date (the days from
 * the last close of business accrued on today's principal) and anything else overdue. The carry, less
 * than one minor unit, is dropped: a borrower is never asked for a fraction.
 */
export function payoffQuote(inputs: PayoffInputs): PayoffQuote {
  const days = daysBetween(inputs.accruedThrough, inputs.payoffDate);
  if (days < 0) throw new RangeError('the payoff date is before the last accrual');
  const ahead = accrueDays(inputs.principal, inputs.annualRateBps, inputs.carry, days).interest;
  const interest = inputs.accruedInterest + ahead;
  return {
    principal: inputs.principal,
    interest,
    charges: inputs.overdueCharges,
    total: inputs.principal + interest + inputs.overdueCharges,
  };
}
