/**
 * Daily interest, Actual/365 Fixed, in exact integers: a day's interest is
 *   (principal × annualRateBps + carry) ÷ 3,650,000
 * (365 days × 10,000 basis points), divided as integers; the remainder is the carry, persisted with the
 * loan and added to the next day's numerator, so nothing is ever rounded away and nothing is rounded
 * twice. 29 February accrues like any other day (the denominator stays 365).
 */
export const DAY_COUNT_DENOMINATOR = 3_650_000n;

export interface Accrual {
  /** Whole minor units accrued. */
  interest: bigint;
  /** What is left below one minor unit, in 1/3,650,000ths: the next day's start. */
  carry: bigint;
}

function assertTerms(principal: bigint, annualRateBps: number, carry: bigint): void {
  if (principal < 0n) throw new RangeError('principal must not be negative');
  if (!Number.isInteger(annualRateBps) || annualRateBps < 0) throw new RangeError('rate must be ≥ 0 bps');
  if (carry < 0n || carry >= DAY_COUNT_DENOMINATOR) throw new RangeError('carry must be in [0, 3,650,000)');
}

/** One day's interest on `principal` (the balance at the close of the day). */
export function accrueDay(principal: bigint, annualRateBps: number, carry: bigint): Accrual {
  return accrueDays(principal, annualRateBps, carry, 1);
}

/**
 * `days` days on an unchanged principal. Day by day, each day adds principal × rate to the numerator and
 * takes out whole units; the sum telescopes, so n days at once give exactly what n single days give.
 */
export function accrueDays(principal: bigint, annualRateBps: number, carry: bigint, days: number): Accrual {
  assertTerms(principal, annualRateBps, carry);
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a whole number ≥ 0');
  const numerator = principal * BigInt(annualRateBps) * BigInt(days) + carry;
  return { interest: numerator / DAY_COUNT_DENOMINATOR, carry: numerator % DAY_COUNT_DENOMINATOR };
}
