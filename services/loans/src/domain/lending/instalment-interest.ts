import type { DatedInstalment } from '../arrears.js';

/** New parts for one instalment, minor units. */
export interface InstalmentParts {
  number: number;
  principalDue: bigint;
  interestDue: bigint;
}

/** What a repaying loan owes in total: every instalment's unpaid principal sums to `principal`. */
export interface RepayingLoan {
  principal: bigint;
  /** Interest accrued and unpaid: billed to instalments already due, and accrued since the last due date. */
  accruedInterest: bigint;
}

const unpaidInterest = (i: DatedInstalment) => i.interestDue - i.interestPaid;
const unpaidPrincipal = (i: DatedInstalment) => i.principalDue - i.principalPaid;
const sum = (values: bigint[]) => values.reduce((total, value) => total + value, 0n);

/**
 * After close of business has accrued `date` in REPAYMENT (`loan` as it stands after the day):
 *
 * - when the next day is an instalment's due date, its interest part becomes what actually accrued over
 *   its period (what is unbilled, plus what a prepayment paid of it early) in place of the projection,
 *   and its principal part the rest of its level amount (never below what is paid, never beyond the
 *   principal left); the last instalment then takes whatever principal remains, so the unpaid principal
 *   parts still sum to the loan's principal;
 * - on and after the last due date no period is left, so the day's interest joins the last instalment.
 *
 * Answers the instalments whose parts change (none on most days).
 */
export function billInterest(
  instalments: readonly DatedInstalment[],
  date: string,
  nextDate: string,
  loan: RepayingLoan,
  dayInterest: bigint,
): InstalmentParts[] {
  const ordered = [...instalments].sort((a, b) => a.number - b.number);
  const last = ordered.at(-1);
  if (!last) return [];
  if (date >= last.dueDate) {
    if (dayInterest === 0n) return [];
    return [
      { number: last.number, principalDue: last.principalDue, interestDue: last.interestDue + dayInterest },
    ];
  }
  const due = ordered.find((i) => i.dueDate === nextDate);
  if (!due) return [];
  const earlier = ordered.filter((i) => i.number < due.number);
  const interestDue = loan.accruedInterest - sum(earlier.map(unpaidInterest)) + due.interestPaid;
  const principalLeft = loan.principal - sum(earlier.map(unpaidPrincipal));
  if (due === last) {
    return [{ number: due.number, principalDue: due.principalPaid + principalLeft, interestDue }];
  }
  const level = due.principalDue + due.interestDue;
  const principalDue = clamp(level - interestDue, due.principalPaid, due.principalPaid + principalLeft);
  const later = ordered.filter((i) => i.number > due.number && i !== last);
  const lastPrincipal =
    last.principalPaid + principalLeft - (principalDue - due.principalPaid) - sum(later.map(unpaidPrincipal));
  return [
    { number: due.number, principalDue, interestDue },
    {
      number: last.number,
      principalDue: max(lastPrincipal, last.principalPaid),
      interestDue: last.interestDue,
    },
  ];
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  return value > high ? high : value;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
