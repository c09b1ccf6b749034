/** Totals of one currency, as exact decimal strings. */
export interface CurrencyTotalsInput {
  balanceTotal: string;
  debitTotal: string;
  creditTotal: string;
}

/** Sound when the balances net to zero and every debit has its credit. */
export function currencyBalanced(totals: CurrencyTotalsInput): boolean {
  return BigInt(totals.balanceTotal) === 0n && BigInt(totals.debitTotal) === BigInt(totals.creditTotal);
}
