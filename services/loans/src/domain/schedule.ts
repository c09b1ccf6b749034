import { addMonths } from './calendar.js';

/**
 * The annuity schedule, all in integer minor units (bigint): no float ever
 * touches money. The monthly rate is the rational annualRateBps / 120000
 * (basis points over 10000, over 12 months), so the payment
 *   A = P·r·(1+r)^n / ((1+r)^n − 1)
 * becomes, with q = 120000 + bps and d = 120000,
 *   A = P·bps·q^n / (d·(q^n − d^n)),
 * computed exactly with bigints and rounded once, half up.
 */

export interface LoanTerms {
  /** Minor units, > 0. */
  principal: bigint;
  /** Basis points a year (0–10000). */
  annualRateBps: number;
  termMonths: number;
  gracePeriodMonths: number;
}

export interface Instalment {
  /** 1-based. */
  number: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  principal: bigint;
  interest: bigint;
}

const MONTHLY_DENOMINATOR = 120_000n;

/** num / den rounded half up; both non-negative, den > 0. */
export function divideRoundHalfUp(num: bigint, den: bigint): bigint {
  return (num * 2n + den) / (den * 2n);
}

/** The level monthly payment before the last instalment's rounding correction. */
export function annuityPayment(principal: bigint, annualRateBps: number, termMonths: number): bigint {
  const n = BigInt(termMonths);
  if (annualRateBps === 0) return divideRoundHalfUp(principal, n);
  const bps = BigInt(annualRateBps);
  const growth = (MONTHLY_DENOMINATOR + bps) ** n;
  const base = MONTHLY_DENOMINATOR ** n;
  return divideRoundHalfUp(principal * bps * growth, MONTHLY_DENOMINATOR * (growth - base));
}

/** One month's interest on a balance, rounded half up. */
export function monthlyInterest(balance: bigint, annualRateBps: number): bigint {
  return divideRoundHalfUp(balance * BigInt(annualRateBps), MONTHLY_DENOMINATOR);
}

/**
 * Equal instalments from `startDate` (the disbursement day): the grace period
 * starts then and carries no interest; instalment k falls due
 * gracePeriodMonths + k months after it. Interest is charged on the balance
 * each month; the last instalment takes whatever principal is left, so the
 * principal parts always sum exactly to the principal.
 */
export function buildSchedule(terms: LoanTerms, startDate: string): Instalment[] {
  const { principal, annualRateBps, termMonths, gracePeriodMonths } = terms;
  if (principal <= 0n) throw new RangeError('principal must be positive');
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError('termMonths must be ≥ 1');
  if (!Number.isInteger(annualRateBps) || annualRateBps < 0) throw new RangeError('rate must be ≥ 0');
  const payment = annuityPayment(principal, annualRateBps, termMonths);
  const instalments: Instalment[] = [];
  let balance = principal;
  for (let number = 1; number <= termMonths; number++) {
    const interest = monthlyInterest(balance, annualRateBps);
    const last = number === termMonths;
    const due = payment - interest;
    // Rounding may leave a sliver above or below the balance: the last instalment settles it.
    const principalPart = last ? balance : clamp(due, 0n, balance);
    balance -= principalPart;
    instalments.push({
      number,
      dueDate: addMonths(startDate, gracePeriodMonths + number),
      principal: principalPart,
      interest,
    });
  }
  return instalments;
}

/** `value` within [low, high] (Math.min and Math.max do not take bigints). */
function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  return value > high ? high : value;
}
