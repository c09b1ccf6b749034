import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, fieldsOf, type LedgerHarness, newKey } from './harness.js';
import { releaseRequested, releaseTools } from './tranches.js';

let h: LedgerHarness;
let t: ReturnType<typeof releaseTools>;
beforeAll(async () => {
  h = await createLedgerHarness();
  t = releaseTools(h);
});
afterAll(() => h.close());

/** An institution that has been paid `tuition` by one release; returns its account as the database has it. */
async function paidInstitution(tuition = '7500', currency = 'MWK') {
  const institutionId = randomUUID();
  const event = releaseRequested({ studentId: randomUUID(), institutionId, tuition, upkeep: '0', currency });
  expect((await t.deliver(event)).json).toEqual({ status: 'processed' });
  const [account] = await t.institutionAccounts(institutionId);
  if (!account) throw new Error('no institution account was opened');
  return { institutionId, account, loanId: event.data.loanId };
}

const ids = (json: { items: { id: string }[] }) => json.items.map((item) => item.id);

describe('institution accounts through the accounts routes', () => {
  it('shows staff an institution account: listed by type or institution, read by id, its balance and statement', async () => {
    const { institutionId, account } = await paidInstitution('7500');
    for (const token of [h.tokens.agent, h.tokens.admin]) {
      const byInstitution = await h.call('GET', `/api/v1/accounts?institutionId=${institutionId}`, { token });
      expect(byInstitution.status).toBe(200);
      expect(byInstitution.json.items).toEqual([
        expect.objectContaining({
          id: account.id,
          type: 'institution',
          ownerId: null,
          institutionId,
          currency: 'MWK',
          balance: 7500,
        }),
      ]);
      const byType = await h.call('GET', '/api/v1/accounts?type=institution&limit=100', { token });
      expect(ids(byType.json)).toContain(account.id);

      const one = await h.call('GET', `/api/v1/accounts/${account.id}`, { token });
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject({ id: account.id, institutionId, balance: 7500 });
      const balance = await h.call('GET', `/api/v1/accounts/${account.id}/balance`, { token });
      expect(balance.json).toMatchObject({ accountId: account.id, balance: 7500 });
      const statement = await h.call('GET', `/api/v1/accounts/${account.id}/statement`, { token });
      expect(statement.json.items).toEqual([
        expect.objectContaining({
          kind: 'disbursement',
          direction: 'credit',
          amount: 7500,
          balanceAfter: 7500,
        }),
      ]);
    }
  });

  it('never shows a student an institution account: not listed, whatever the filter, and 404 by id', async () => {
    const { institutionId, account } = await paidInstitution();
    const student = await h.newStudent();
    await h.openWallet(student.token);
    for (const query of ['', '?type=institution', `?institutionId=${institutionId}`]) {
      const listed = await h.call('GET', `/api/v1/accounts${query}`, { token: student.token });
      expect(listed.status).toBe(200);
      expect(listed.json.items.every((a: { type: string }) => a.type === 'wallet')).toBe(true);
      expect(ids(listed.json)).not.toContain(account.id);
    }
    for (const path of ['', '/balance', '/statement']) {
      const read = await h.call('GET', `/api/v1/accounts/${account.id}${path}`, { token: student.token });
      expect(read.status).toBe(404);
      expect(read.json.code).toBe('account_not_found');
    }
    // The student whose upkeep came with the tuition does not see it either.
    const paidStudent = await h.newStudent();
    await t.deliver(
      releaseRequested({ studentId: paidStudent.id, institutionId, tuition: '10', upkeep: '10' }),
    );
    const own = await h.call('GET', '/api/v1/accounts', { token: paidStudent.token });
    expect(own.json.items.map((a: { type: string }) => a.type)).toEqual(['wallet']);
    expect((await h.call('GET', `/api/v1/accounts/${account.id}`, { token: paidStudent.token })).status).toBe(
      404,
    );
  });

  it('is opened by a release only: POST /accounts refuses the type, for admins too', async () => {
    for (const token of [h.tokens.student, h.tokens.admin]) {
      const response = await h.call('POST', '/api/v1/accounts', {
        token,
        body: { type: 'institution', currency: 'MWK' },
      });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.json)).toEqual(['body.type']);
    }
  });
});

describe('no money leaves an institution account', () => {
  it('refuses a transfer or withdrawal from it, whoever asks, and moves nothing', async () => {
    const { account } = await paidInstitution('5000');
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    const attempts = [
      { token: student.token, expected: 404 },
      { token: h.tokens.agent, expected: 403 },
      { token: h.tokens.admin, expected: 403 },
    ];
    for (const { token, expected } of attempts) {
      const transfer = await h.call('POST', '/api/v1/transfers', {
        token,
        key: newKey(),
        body: { fromAccountId: account.id, toAccountId: wallet.id, amount: 100, currency: 'MWK' },
      });
      expect(transfer.status).toBe(expected);
      const withdrawal = await h.call('POST', '/api/v1/withdrawals', {
        token,
        key: newKey(),
        body: { accountId: account.id, amount: 100, currency: 'MWK' },
      });
      expect(withdrawal.status).toBe(expected);
    }
    expect(await t.balanceOfAccount(account.id)).toBe(5000n);
    expect(await t.balanceOfAccount(wallet.id)).toBe(0n);
  });

  it('takes no deposit or student payment either: only releases pay in', async () => {
    const { account } = await paidInstitution('300');
    const deposit = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: { accountId: account.id, amount: 100, currency: 'MWK' },
    });
    expect(deposit.status).toBe(422);
    expect(deposit.json.code).toBe('account_type_not_allowed');
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await h.deposit(wallet.id, 1000);
    const payment = await h.call('POST', '/api/v1/transfers', {
      token: student.token,
      key: newKey(),
      body: { fromAccountId: wallet.id, toAccountId: account.id, amount: 100, currency: 'MWK' },
    });
    expect(payment.status).toBe(422);
    expect(payment.json.code).toBe('account_type_not_allowed');
    expect(await t.balanceOfAccount(account.id)).toBe(300n);
    expect(await t.balanceOfAccount(wallet.id)).toBe(1000n);
  });

  it('cannot be closed while it holds money', async () => {
    const { account } = await paidInstitution('1');
    const close = await h.call('POST', `/api/v1/accounts/${account.id}/close`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(close.status).toBe(409);
    expect(close.json.code).toBe('balance_not_zero');
  });
});

describe('what the database enforces for institution accounts', () => {
  const insert = (row: { owner_id: string | null; owner_key: string; type: string; currency?: string }) =>
    h.deps.db
      .insertInto('accounts')
      .values({
        id: uuidv7(),
        currency: 'MWK',
        status: 'active',
        balance: '0',
        version: 1,
        created_at: new Date(),
        updated_at: new Date(),
        ...row,
        type: row.type as 'institution',
      })
      .execute();
  /** 'accepted', the duplicate key, or the CHECK that refused (MariaDB and MySQL both name it in the message). */
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'accepted';
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      return code === 'ER_DUP_ENTRY' ? code : (message.match(/accounts_[a-z_]+/)?.[0] ?? message);
    }
  };

  it('keeps one per institution and currency', async () => {
    const { institutionId } = await paidInstitution();
    expect(await refusal(insert({ owner_id: null, owner_key: institutionId, type: 'institution' }))).toBe(
      'ER_DUP_ENTRY',
    );
    expect(
      await refusal(
        insert({ owner_id: null, owner_key: institutionId, type: 'institution', currency: 'USD' }),
      ),
    ).toBe('accepted');
  });

  it("keys it by the institution, never a user or 'platform', and still ties every other type to its holder", async () => {
    const someone = randomUUID();
    expect(await refusal(insert({ owner_id: null, owner_key: 'platform', type: 'institution' }))).toBe(
      'accounts_owner_key_by_type',
    );
    // Only a wallet has a user as holder.
    expect(await refusal(insert({ owner_id: someone, owner_key: someone, type: 'institution' }))).toBe(
      'accounts_wallet_has_owner',
    );
    expect(await refusal(insert({ owner_id: someone, owner_key: randomUUID(), type: 'wallet' }))).toBe(
      'accounts_owner_key_by_type',
    );
    expect(await refusal(insert({ owner_id: null, owner_key: randomUUID(), type: 'funding' }))).toBe(
      'accounts_owner_key_by_type',
    );
  });

  it('never lets it go below zero', async () => {
    const { account } = await paidInstitution('10');
    const negative = h.deps.db
      .updateTable('accounts')
      .set({ balance: '-1' })
      .where('id', '=', account.id)
      .execute();
    expect(await refusal(negative)).toBe('accounts_institution_not_negative');
  });
});

describe('reconciliation with institution accounts', () => {
  it('still balances every currency after releases in two currencies', async () => {
    await paidInstitution('12345', 'MWK');
    await paidInstitution('678', 'USD');
    await t.deliver(
      releaseRequested({
        studentId: randomUUID(),
        institutionId: randomUUID(),
        tuition: '9',
        upkeep: '4',
        currency: 'USD',
      }),
    );
    const response = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ balanced: true, mismatchedAccounts: [], unbalancedTransfers: [] });
    for (const totals of response.json.currencies) {
      expect(totals).toMatchObject({ balanceTotal: '0', balanced: true });
      expect(totals.debitTotal).toBe(totals.creditTotal);
    }
    const institutions = await h.deps.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', 'institution')
      .executeTakeFirstOrThrow();
    expect(Number(institutions.n)).toBeGreaterThanOrEqual(3);
  });

  it('finds an institution account whose balance disagrees with its entries', async () => {
    const { account } = await paidInstitution('50');
    await h.deps.db.updateTable('accounts').set({ balance: '51' }).where('id', '=', account.id).execute();
    const response = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(response.json.balanced).toBe(false);
    expect(response.json.mismatchedAccounts).toEqual([
      { accountId: account.id, currency: 'MWK', balance: '51', entriesTotal: '50' },
    ]);
    await h.deps.db.updateTable('accounts').set({ balance: '50' }).where('id', '=', account.id).execute();
  });
});
