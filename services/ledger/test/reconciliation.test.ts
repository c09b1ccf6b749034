import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, type LedgerHarness, newKey } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness();
});
afterAll(() => h.close());

async function metricsText() {
  return (await h.app.request('/metrics')).text();
}

async function someActivity() {
  const alice = await h.newStudent();
  const bob = await h.newStudent();
  const a = await h.openWallet(alice.token);
  const b = await h.openWallet(bob.token);
  await h.deposit(a.id, 5_000);
  const paid = await h.call('POST', '/api/v1/transfers', {
    token: alice.token,
    key: newKey(),
    body: { fromAccountId: a.id, toAccountId: b.id, amount: 1_500, currency: 'MWK' },
  });
  await h.call('POST', '/api/v1/transfers', {
    token: alice.token,
    key: newKey(),
    body: { fromAccountId: a.id, toAccountId: b.id, amount: 1_000_000, currency: 'MWK' },
  });
  return { a, b, transferId: paid.json.id as string };
}

describe('GET /api/v1/ledger/reconciliation', () => {
  it('reports a sound ledger: every currency nets to zero and debits equal credits', async () => {
    await someActivity();
    const response = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ balanced: true, mismatchedAccounts: [], unbalancedTransfers: [] });
    const mwk = response.json.currencies.find((c: { currency: string }) => c.currency === 'MWK');
    expect(mwk).toMatchObject({
      balanceTotal: '0',
      debitTotal: '6500',
      creditTotal: '6500',
      balanced: true,
      accounts: 4,
    });
    expect(response.json.currencies.map((c: { currency: string }) => c.currency)).toEqual(['MWK', 'USD']);
    const metrics = await metricsText();
    expect(metrics).toMatch(
      /ledger_reconciliation_imbalance_minor_units\{currency="MWK",service="ledger"\} 0/,
    );
    expect(metrics).toMatch(/ledger_reconciliation_mismatched_accounts\{service="ledger"\} 0/);
  });

  it('finds a balance that disagrees with its entries, and a transfer whose entries do not balance', async () => {
    const { a, b, transferId } = await someActivity();
    await h.deps.db.updateTable('accounts').set({ balance: '3501' }).where('id', '=', a.id).execute();
    const tampered = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(tampered.json.balanced).toBe(false);
    expect(tampered.json.mismatchedAccounts).toEqual([
      { accountId: a.id, currency: 'MWK', balance: '3501', entriesTotal: '3500' },
    ]);
    const mwk = tampered.json.currencies.find((c: { currency: string }) => c.currency === 'MWK');
    expect(mwk).toMatchObject({ balanceTotal: '1', balanced: false });
    const metrics = await metricsText();
    expect(metrics).toMatch(
      /ledger_reconciliation_imbalance_minor_units\{currency="MWK",service="ledger"\} 1/,
    );
    expect(metrics).toMatch(/ledger_reconciliation_mismatched_accounts\{service="ledger"\} 1/);
    await h.deps.db.updateTable('accounts').set({ balance: '3500' }).where('id', '=', a.id).execute();

    const credit = await h.deps.db
      .selectFrom('entries')
      .selectAll()
      .where('transfer_id', '=', transferId)
      .where('account_id', '=', b.id)
      .executeTakeFirstOrThrow();
    await h.deps.db.deleteFrom('entries').where('id', '=', credit.id).execute();
    const broken = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(broken.json.unbalancedTransfers).toEqual([transferId]);
    expect(broken.json.mismatchedAccounts.map((m: { accountId: string }) => m.accountId)).toEqual([b.id]);
    const { id: _id, ...restored } = credit;
    await h.deps.db.insertInto('entries').values(restored).execute();
    expect(
      (await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin })).json.balanced,
    ).toBe(true);
  });

  it('is for admins only', async () => {
    expect((await h.call('GET', '/api/v1/ledger/reconciliation')).status).toBe(401);
    for (const token of [h.tokens.student, h.tokens.agent]) {
      expect((await h.call('GET', '/api/v1/ledger/reconciliation', { token })).status).toBe(403);
    }
  });
});

describe('metrics', () => {
  it('count transfers by kind and result, and money moved by currency and kind', async () => {
    await someActivity();
    const metrics = await metricsText();
    expect(metrics).toMatch(
      /ledger_transfers_total\{kind="transfer",result="completed",service="ledger"\} \d+/,
    );
    expect(metrics).toMatch(
      /ledger_transfers_total\{kind="transfer",result="insufficient_funds",service="ledger"\} \d+/,
    );
    expect(metrics).toMatch(
      /ledger_transferred_minor_units_total\{currency="MWK",kind="deposit",service="ledger"\} \d+/,
    );
    expect(metrics).toMatch(/idempotency_requests_total\{outcome="claimed",service="ledger"\} \d+/);
  });
});

describe('readiness', () => {
  it('is ready once migrated and the system accounts exist', async () => {
    const response = await h.app.request('/readyz');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { checks: unknown }).checks).toMatchObject({
      database: 'ok',
      migrations: 'ok',
      'system-accounts': 'ok',
    });
  });
});
