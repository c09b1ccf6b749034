import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../packages/kit/src/db/database.js';
import { runMigrations } from '../../packages/kit/src/db/migrations.js';
import { createTestDatabase, type TestDatabase } from '../../packages/testing/src/mysql.js';
import { migrations } from '../../services/ledger/src/db/migrations/index.js';
import { reconcile } from '../../services/ledger/src/db/reconciliation.js';
import type { LedgerDatabase } from '../../services/ledger/src/db/schema.js';
import { statementPage } from '../../services/ledger/src/db/statement.js';
import { seedStatement } from '../lib/statement-seed.js';

const HOLDER = '01900000-0000-7000-8000-000000000001';
const WALLET = '01900000-0000-7000-8000-0000000000a1';
const OTHER_WALLET = '01900000-0000-7000-8000-0000000000a2';
const CASH = '01900000-0000-7000-8000-0000000000c1';

let database: TestDatabase;
// Typed through the kit (kysely is the kit's dependency, not the repository root's).
let db: ReturnType<typeof createDatabase<LedgerDatabase>>['db'];
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase('bench_statement_seed');
  const created = createDatabase<LedgerDatabase>({ url: database.url, poolSize: 2 });
  db = created.db;
  close = () => created.close();
  await runMigrations(db, database.name, migrations);
  const now = new Date();
  const account = (id: string, ownerId: string | null, type: 'wallet' | 'cash') => ({
    id,
    owner_id: ownerId,
    owner_key: ownerId ?? 'platform',
    type,
    currency: 'MWK',
    status: 'active' as const,
    balance: '0',
    version: 1,
    created_at: now,
    updated_at: now,
  });
  await db
    .insertInto('accounts')
    .values([
      account(CASH, null, 'cash'),
      account(WALLET, HOLDER, 'wallet'),
      account(OTHER_WALLET, '01900000-0000-7000-8000-000000000002', 'wallet'),
    ])
    .execute();
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe('seedStatement', () => {
  it('gives a wallet its entries in chunks and leaves the ledger reconciled', async () => {
    const seed = {
      walletId: WALLET,
      holderId: HOLDER,
      cashId: CASH,
      currency: 'MWK',
      entries: 2_500,
      chunk: 1_000,
    };
    expect(await seedStatement(database.url, seed)).toBe(2_500);
    // A second wallet from the same cash account: the cash account's running balance carries on.
    await seedStatement(database.url, { ...seed, walletId: OTHER_WALLET, entries: 700 });

    const report = await reconcile(db);
    expect(report.mismatchedAccounts).toEqual([]);
    expect(report.unbalancedTransfers).toEqual([]);
    expect(report.currencies).toEqual([
      expect.objectContaining({
        currency: 'MWK',
        balanceTotal: '0',
        debitTotal: '320000',
        creditTotal: '320000',
      }),
    ]);

    const wallet = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', WALLET)
      .executeTakeFirstOrThrow();
    expect(wallet.balance).toBe('250000');
    const [newest, next] = await statementPage(db, { accountId: WALLET, limit: 2 });
    expect(newest?.balance_after).toBe('250000');
    expect(next?.balance_after).toBe('249900');
    const cash = await statementPage(db, { accountId: CASH, limit: 1 });
    expect(cash[0]?.balance_after).toBe('-320000');
  });

  it('adds nothing to a wallet that already has its entries', async () => {
    const seed = { walletId: WALLET, holderId: HOLDER, cashId: CASH, currency: 'MWK', entries: 2_500 };
    expect(await seedStatement(database.url, seed)).toBe(0);
    const { count } = await db
      .selectFrom('entries')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('account_id', '=', WALLET)
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(2_500);
  });
});
