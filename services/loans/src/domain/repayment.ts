/** What is still owed on one instalment, and what a repayment puts against it. */
export interface InstalmentBalance {
  number: number;
  principalDue: bigint;
  interestDue: bigint;
  principalPaid: bigint;
  interestPaid: bigint;
}

export interface Allocation {
  number: number;
  interest: bigint;
  principal: bigint;
}

export const remainingOf = (i: InstalmentBalance) =>
  i.principalDue - i.principalPaid + (i.interestDue - i.interestPaid);

/** Everything still owed on a loan. */
export function outstandingOf(instalments: readonly InstalmentBalance[]): bigint {
  return instalments.reduce((sum, i) => sum + remainingOf(i), 0n);
}

/**
 * Spreads a repayment over the earliest instalments first, each one's interest
 * before its principal. The caller has checked that `amount` is positive and no
 * more than what is outstanding; only instalments that receive money are listed.
 */
export function allocateRepayment(instalments: readonly InstalmentBalance[], amount: bigint): Allocation[] {
  if (amount <= 0n) throw new RangeError('amount must be positive');
  if (amount > outstandingOf(instalments)) throw new RangeError('amount exceeds what is outstanding');
  const ordered = [...instalments].sort((a, b) => a.number - b.number);
  const allocations: Allocation[] = [];
  let left = amount;
  for (const instalment of ordered) {
    if (left === 0n) break;
    const interest = min(left, instalment.interestDue - instalment.interestPaid);
    left -= interest;
    const principal = min(left, instalment.principalDue - instalment.principalPaid);
    left -= principal;
    if (interest > 0n || principal > 0n) allocations.push({ number: instalment.number, interest, principal });
  }
  return allocations;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
