import { reconcile } from './db/reconciliation.js';
import type { LedgerDeps } from './deps.js';
import { currencyBalanced } from './domain/reconciliation.js';

export interface ReconciliationReport {
  checkedAt: string;
  balanced: boolean;
  currencies: {
    currency: string;
    accounts: number;
    balanceTotal: string;
    debitTotal: string;
    creditTotal: string;
    balanced: boolean;
  }[];
  mismatchedAccounts: { accountId: string; currency: string; balance: string; entriesTotal: string }[];
  unbalancedTransfers: string[];
}

/** Reconciles the ledger and publishes the result as gauges (for alerts). */
export async function runReconciliation(
  deps: Pick<LedgerDeps, 'db' | 'now' | 'ledgerMetrics'>,
): Promise<ReconciliationReport> {
  const checkedAt = deps.now();
  const result = await reconcile(deps.db);
  const currencies = result.currencies.map((totals) => ({ ...totals, balanced: currencyBalanced(totals) }));
  const { imbalance, mismatchedAccounts, lastReconciliation } = deps.ledgerMetrics;
  for (const totals of currencies) imbalance.set({ currency: totals.currency }, Number(totals.balanceTotal));
  mismatchedAccounts.set(result.mismatchedAccounts.length);
  lastReconciliation.set(checkedAt.getTime() / 1000);
  return {
    checkedAt: checkedAt.toISOString(),
    balanced:
      currencies.every((totals) => totals.balanced) &&
      result.mismatchedAccounts.length === 0 &&
      result.unbalancedTransfers.length === 0,
    currencies,
    mismatchedAccounts: result.mismatchedAccounts,
    unbalancedTransfers: result.unbalancedTransfers,
  };
}
