import { type Kysely, sql } from 'kysely';
import type { LedgerDatabase } from './schema.js';

/** Sums are exact decimal strings: MySQL sums BIGINTs as DECIMAL, and nothing here is a float. */
export interface CurrencyTotals {
  currency: string;
  accounts: number;
  balanceTotal: string;
  debitTotal: string;
  creditTotal: string;
}

export interface MismatchedAccount {
  accountId: string;
  currency: string;
  balance: string;
  entriesTotal: string;
}

export interface Reconciliation {
  currencies: CurrencyTotals[];
  mismatchedAccounts: MismatchedAccount[];
  unbalancedTransfers: string[];
}

const LIST_LIMIT = 100;

/**
 * The ledger checked against itself: per currency, the balances sum to zero
 * (every transfer moves money between two accounts of that currency) and
 * debits equal credits; every stored balance equals the net of its entries;
 * every transfer has exactly one debit and one credit of the same amount.
 * It reads every entry: an audit, not a hot path.
 */
export async function reconcile(db: Kysely<LedgerDatabase>): Promise<Reconciliation> {
  const balances = await db
    .selectFrom('accounts')
    .select((eb) => [
      'currency',
      eb.fn.countAll<string>().as('accounts'),
      sql<string>`coalesce(sum(balance), 0)`.as('balance_total'),
    ])
    .groupBy('currency')
    .execute();
  const flows = await db
    .selectFrom('entries')
    .select([
      'currency',
      sql<string>`coalesce(sum(case when direction = 'debit' then amount else 0 end), 0)`.as('debits'),
      sql<string>`coalesce(sum(case when direction = 'credit' then amount else 0 end), 0)`.as('credits'),
    ])
    .groupBy('currency')
    .execute();
  const netByAccount = db
    .selectFrom('entries')
    .select([
      'account_id',
      sql<string>`sum(case when direction = 'credit' then amount else -amount end)`.as('net'),
    ])
    .groupBy('account_id')
    .as('net');
  const mismatched = await db
    .selectFrom('accounts')
    .leftJoin(netByAccount, 'net.account_id', 'accounts.id')
    .select([
      'accounts.id',
      'accounts.currency',
      'accounts.balance',
      sql<string>`coalesce(net.net, 0)`.as('entries_total'),
    ])
    .where(sql<boolean>`accounts.balance <> coalesce(net.net, 0)`)
    .orderBy('accounts.id')
    .limit(LIST_LIMIT)
    .execute();
  const unbalanced = await db
    .selectFrom('entries')
    .select('transfer_id')
    .groupBy('transfer_id')
    .having(
      sql<boolean>`count(*) <> 2 or sum(case when direction = 'debit' then amount else -amount end) <> 0`,
    )
    .orderBy('transfer_id')
    .limit(LIST_LIMIT)
    .execute();

  const currencies = [
    ...new Set([...balances.map((b) => b.currency), ...flows.map((f) => f.currency)]),
  ].sort();
  return {
    currencies: currencies.map((currency) => {
      const balance = balances.find((b) => b.currency === currency);
      const flow = flows.find((f) => f.currency === currency);
      return {
        currency,
        accounts: Number(balance?.accounts ?? 0),
        balanceTotal: String(balance?.balance_total ?? '0'),
        debitTotal: String(flow?.debits ?? '0'),
        creditTotal: String(flow?.credits ?? '0'),
      };
    }),
    mismatchedAccounts: mismatched.map((row) => ({
      accountId: row.id,
      currency: row.currency,
      balance: row.balance,
      entriesTotal: String(row.entries_total),
    })),
    unbalancedTransfers: unbalanced.map((row) => row.transfer_id),
  };
}
