import { Counter, Gauge, type ServiceMetrics } from '@bonding/kit';

export interface LedgerMetrics {
  /** Attempts to move money, by kind and result (`completed`, or the rule that refused it). */
  transfers: Counter<'kind' | 'result'>;
  /** Money moved, in minor units, by currency and kind (a float in Prometheus; never read back). */
  transferred: Counter<'currency' | 'kind'>;
  /** Whole transactions retried after a deadlock or lock-wait timeout. */
  lockRetries: Counter;
  /** Sum of all balances per currency at the last reconciliation: 0 when the ledger is sound. */
  imbalance: Gauge<'currency'>;
  /** Accounts whose balance differed from their entries at the last reconciliation. */
  mismatchedAccounts: Gauge;
  /** When the last reconciliation ran (seconds since the epoch). */
  lastReconciliation: Gauge;
}

export function createLedgerMetrics({ registry }: ServiceMetrics): LedgerMetrics {
  const registers = [registry];
  return {
    transfers: new Counter({
      name: 'ledger_transfers_total',
      help: 'Transfers attempted, by kind and result (completed, or the rule that refused them).',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    transferred: new Counter({
      name: 'ledger_transferred_minor_units_total',
      help: 'Money moved by completed transfers, in minor units, by currency and kind.',
      labelNames: ['currency', 'kind'] as const,
      registers,
    }),
    lockRetries: new Counter({
      name: 'ledger_transfer_lock_retries_total',
      help: 'Transfer transactions retried after a deadlock or lock-wait timeout.',
      registers,
    }),
    imbalance: new Gauge({
      name: 'ledger_reconciliation_imbalance_minor_units',
      help: 'Sum of all account balances per currency at the last reconciliation; anything but 0 is a defect.',
      labelNames: ['currency'] as const,
      registers,
    }),
    mismatchedAccounts: new Gauge({
      name: 'ledger_reconciliation_mismatched_accounts',
      help: 'Accounts whose stored balance differed from the sum of their entries at the last reconciliation.',
      registers,
    }),
    lastReconciliation: new Gauge({
      name: 'ledger_reconciliation_last_run_timestamp_seconds',
      help: 'When the ledger was last reconciled.',
      registers,
    }),
  };
}
