import type { Database } from '@bonding/kit';
import { expect } from 'vitest';
import type { LedgerDatabase } from '../../services/ledger/src/db/schema.js';
import type { Platform } from './platform.js';

/**
 * The books balance: every currency's accounts sum to zero in the ledger's own tables, and the ledger's
 * reconciliation report (read through the edge as the admin) finds no mismatch and no unbalanced transfer.
 */
export async function expectBalancedBooks(
  platform: Platform,
  ledgerDb: Database<LedgerDatabase>,
  adminToken: string,
): Promise<void> {
  const totals = await ledgerDb.db
    .selectFrom('accounts')
    .select((eb) => ['currency', eb.fn.sum<string>('balance').as('total')])
    .groupBy('currency')
    .execute();
  for (const total of totals) expect(String(total.total), total.currency).toBe('0');
  const report = await platform.api('GET', '/ledger/reconciliation', { token: adminToken });
  expect(report.status, report.text).toBe(200);
  expect(report.json).toMatchObject({ balanced: true, mismatchedAccounts: [], unbalancedTransfers: [] });
}
