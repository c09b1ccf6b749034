import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, fieldsOf, type LedgerHarness, newKey } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness();
});
afterAll(() => h.close());

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

/** A student with an MWK wallet holding `balance`. */
async function holder(balance = 0, currency = 'MWK') {
  const student = await h.newStudent();
  const wallet = await h.openWallet(student.token, currency);
  if (balance > 0) await h.deposit(wallet.id, balance, currency);
  return { ...student, wallet };
}

async function counts() {
  const [transfers, entries] = await Promise.all(
    (['transfers', 'entries'] as const).map(async (table) =>
      Number(
        (
          await h.deps.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ),
  );
  return { transfers, entries };
}

/** Raw JSON with `amount` written exactly as given (what JSON.stringify cannot produce). */
const rawTransfer = (fromAccountId: string, toAccountId: string, amount: string) =>
  `{"fromAccountId":"${fromAccountId}","toAccountId":"${toAccountId}","amount":${amount},"currency":"MWK"}`;

describe('POST /api/v1/transfers', () => {
  it('moves money from your wallet to another by account id: one transfer, two entries, balances follow', async () => {
    const alice = await holder(10_000);
    const bob = await holder();
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: {
        fromAccountId: alice.wallet.id,
        toAccountId: bob.wallet.id,
        amount: 2_500,
        currency: 'MWK',
        reference: 'Books',
      },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      kind: 'transfer',
      fromAccountId: alice.wallet.id,
      toAccountId: bob.wallet.id,
      fromUserId: alice.id,
      toUserId: bob.id,
      amount: 2_500,
      currency: 'MWK',
      reference: 'Books',
      loanId: null,
      initiatedBy: alice.id,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/transfers/${response.json.id}`);
    expect(await h.balanceOf(alice.wallet.id)).toBe(7_500);
    expect(await h.balanceOf(bob.wallet.id)).toBe(2_500);
    const entries = await h.deps.db
      .selectFrom('entries')
      .select(['account_id', 'direction', 'amount', 'balance_after'])
      .where('transfer_id', '=', response.json.id)
      .orderBy('direction')
      .execute();
    expect(entries).toEqual([
      { account_id: bob.wallet.id, direction: 'credit', amount: '2500', balance_after: '2500' },
      { account_id: alice.wallet.id, direction: 'debit', amount: '2500', balance_after: '7500' },
    ]);
  });

  it("pays into a user's wallet in the transfer's currency when given their user id", async () => {
    const alice = await holder(1_000);
    const bob = await holder();
    await h.openWallet(bob.token, 'USD');
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toUserId: bob.id, amount: 300, currency: 'MWK' },
    });
    expect(response.status).toBe(201);
    expect(response.json.toAccountId).toBe(bob.wallet.id);
    const nobody = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toUserId: UNKNOWN, amount: 300, currency: 'MWK' },
    });
    expect(nobody.status).toBe(404);
    expect(nobody.json.code).toBe('recipient_wallet_not_found');
  });

  it.each([
    ['more than the balance', 1_001, 'MWK', 422, 'insufficient_funds'],
    ['another currency than the wallets hold', 10, 'USD', 422, 'currency_mismatch'],
  ])('refuses %s, changing nothing', async (_name, amount, currency, status, code) => {
    const alice = await holder(1_000);
    const bob = await holder();
    const before = await counts();
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: bob.wallet.id, amount, currency },
    });
    expect(response.status).toBe(status);
    expect(response.json.code).toBe(code);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await h.balanceOf(alice.wallet.id)).toBe(1_000);
    expect(await h.balanceOf(bob.wallet.id)).toBe(0);
    expect(await counts()).toEqual(before);
  });

  it('refuses a wallet paying itself, and a wallet in another currency', async () => {
    const alice = await holder(1_000);
    const self = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: alice.wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(self.status).toBe(422);
    expect(self.json.code).toBe('self_transfer');
    const dollars = await holder(0, 'USD');
    const mismatch = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: dollars.wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json).toMatchObject({ code: 'currency_mismatch', accountId: dollars.wallet.id });
  });

  it('refuses paying into a system account, and an unknown account', async () => {
    const alice = await holder(1_000);
    const funding = await h.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('type', '=', 'funding')
      .where('currency', '=', 'MWK')
      .executeTakeFirstOrThrow();
    const system = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: funding.id, amount: 1, currency: 'MWK' },
    });
    expect(system.status).toBe(422);
    expect(system.json.code).toBe('account_type_not_allowed');
    const unknown = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: UNKNOWN, amount: 1, currency: 'MWK' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'account_not_found', accountId: UNKNOWN });
    expect(await h.balanceOf(alice.wallet.id)).toBe(1_000);
  });

  it.each([
    ['zero', '0', 'too_small'],
    ['a negative amount', '-5', 'too_small'],
    ['a fraction', '10.5', 'not_an_integer'],
    ['a fraction written with a trailing zero', '10.50', 'not_an_integer'],
    ['exponent notation', '1e3', 'not_an_integer'],
    ['exponent notation with a sign', '5E+2', 'not_an_integer'],
    ['2^53', '9007199254740992', 'too_big'],
    ['a number JSON would round to 2^53 − 1', '9007199254740993', 'too_big'],
    ['a huge number', '1000000000000000000000000', 'too_big'],
    ['a string', '"1000"', 'invalid_type'],
    ['null', 'null', 'invalid_type'],
  ])('answers 400 naming body.amount for %s, moving nothing', async (_name, amount, code) => {
    const alice = await holder(5_000);
    const bob = await holder();
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: rawTransfer(alice.wallet.id, bob.wallet.id, amount),
    });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(['body.amount']);
    expect(response.json.errors[0].code).toBe(code);
    expect(await h.balanceOf(alice.wallet.id)).toBe(5_000);
  });

  it('accepts exactly 2^53 − 1 as an amount (and then finds the funds short)', async () => {
    const alice = await holder(5_000);
    const bob = await holder();
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: rawTransfer(alice.wallet.id, bob.wallet.id, '9007199254740991'),
    });
    expect(response.status).toBe(422);
    expect(response.json.code).toBe('insufficient_funds');
  });

  it.each([
    ['an unknown field', { extra: 1 }, ['body.extra']],
    ['both a recipient account and user', { toUserId: UNKNOWN }, ['body.toAccountId']],
    ['a malformed currency', { currency: 'mwk' }, ['body.currency']],
    ['no currency', { currency: undefined }, ['body.currency']],
    ['a malformed account id', { fromAccountId: 'abc' }, ['body.fromAccountId']],
    ['a reference that is too long', { reference: 'x'.repeat(141) }, ['body.reference']],
  ])('answers 400 for %s', async (_name, overrides, fields) => {
    const alice = await holder(100);
    const response = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: {
        fromAccountId: alice.wallet.id,
        toAccountId: UNKNOWN,
        amount: 1,
        currency: 'MWK',
        ...overrides,
      },
    });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(fields);
  });

  it('answers 400 without a recipient, and for a body that is not JSON', async () => {
    const alice = await holder(100);
    const none = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(none.status).toBe(400);
    expect(fieldsOf(none.json)).toEqual(['body.toAccountId']);
    const garbled = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: '{"amount": ',
    });
    expect(garbled.status).toBe(400);
    expect(garbled.json.code).toBe('malformed_json');
  });

  it('lets only the holder pay from an account: 401 anonymous, 404 another student, 403 staff', async () => {
    const alice = await holder(1_000);
    const bob = await holder();
    const body = { fromAccountId: alice.wallet.id, toAccountId: bob.wallet.id, amount: 1, currency: 'MWK' };
    expect((await h.call('POST', '/api/v1/transfers', { key: newKey(), body })).status).toBe(401);
    const other = await h.call('POST', '/api/v1/transfers', { token: bob.token, key: newKey(), body });
    expect(other.status).toBe(404);
    for (const token of [h.tokens.agent, h.tokens.admin]) {
      const staff = await h.call('POST', '/api/v1/transfers', { token, key: newKey(), body });
      expect(staff.status).toBe(403);
      expect(staff.json.code).toBe('not_account_holder');
    }
    expect(await h.balanceOf(alice.wallet.id)).toBe(1_000);
  });
});

describe('POST /api/v1/deposits and /api/v1/withdrawals', () => {
  it('lets an admin deposit cash into a wallet: the cash account goes negative by as much', async () => {
    const alice = await holder();
    const cash = await h.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('type', '=', 'cash')
      .where('currency', '=', 'USD')
      .executeTakeFirstOrThrow();
    await h.openWallet(alice.token, 'USD');
    const usd = await h.call('GET', `/api/v1/accounts?currency=USD`, { token: alice.token });
    const response = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: { accountId: usd.json.items[0].id, amount: 9_999, currency: 'USD', reference: 'Cash at branch' },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      kind: 'deposit',
      fromAccountId: cash.id,
      fromUserId: null,
      toUserId: alice.id,
    });
    expect(await h.balanceOf(cash.id)).toBe(Number(cash.balance) - 9_999);
  });

  it('lets only admins deposit', async () => {
    const alice = await holder();
    const body = { accountId: alice.wallet.id, amount: 10, currency: 'MWK' };
    expect((await h.call('POST', '/api/v1/deposits', { key: newKey(), body })).status).toBe(401);
    for (const token of [alice.token, h.tokens.otherStudent, h.tokens.agent]) {
      expect((await h.call('POST', '/api/v1/deposits', { token, key: newKey(), body })).status).toBe(403);
    }
    expect(await h.balanceOf(alice.wallet.id)).toBe(0);
  });

  it('refuses a deposit into a currency without a cash account, in the wrong currency, or into a system account', async () => {
    const alice = await holder();
    const unsupported = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 10, currency: 'EUR' },
    });
    expect(unsupported.status).toBe(422);
    expect(unsupported.json.code).toBe('currency_not_supported');
    const wrong = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 10, currency: 'USD' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.json.code).toBe('currency_mismatch');
    const funding = await h.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('type', '=', 'funding')
      .where('currency', '=', 'MWK')
      .executeTakeFirstOrThrow();
    const system = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: { accountId: funding.id, amount: 10, currency: 'MWK' },
    });
    expect(system.status).toBe(422);
    expect(system.json.code).toBe('account_type_not_allowed');
  });

  it.each([
    ['zero', '0'],
    ['a fraction', '0.5'],
    ['exponent notation', '1e2'],
    ['over 2^53 − 1', '9007199254740992'],
    ['a string', '"10"'],
  ])('refuses a deposit of %s', async (_name, amount) => {
    const alice = await holder();
    const response = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: newKey(),
      body: `{"accountId":"${alice.wallet.id}","amount":${amount},"currency":"MWK"}`,
    });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(['body.amount']);
  });

  it('lets the holder withdraw down to zero but not below', async () => {
    const alice = await holder(800);
    const half = await h.call('POST', '/api/v1/withdrawals', {
      token: alice.token,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 800, currency: 'MWK' },
    });
    expect(half.status).toBe(201);
    expect(half.json).toMatchObject({ kind: 'withdrawal', fromAccountId: alice.wallet.id, toUserId: null });
    const more = await h.call('POST', '/api/v1/withdrawals', {
      token: alice.token,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(more.status).toBe(422);
    expect(more.json.code).toBe('insufficient_funds');
    expect(await h.balanceOf(alice.wallet.id)).toBe(0);
  });

  it('lets only the holder withdraw', async () => {
    const alice = await holder(100);
    const body = { accountId: alice.wallet.id, amount: 10, currency: 'MWK' };
    expect((await h.call('POST', '/api/v1/withdrawals', { key: newKey(), body })).status).toBe(401);
    expect(
      (await h.call('POST', '/api/v1/withdrawals', { token: h.tokens.otherStudent, key: newKey(), body }))
        .status,
    ).toBe(404);
    for (const token of [h.tokens.agent, h.tokens.admin]) {
      expect((await h.call('POST', '/api/v1/withdrawals', { token, key: newKey(), body })).status).toBe(403);
    }
    const unknownField = await h.call('POST', '/api/v1/withdrawals', {
      token: alice.token,
      key: newKey(),
      body: { ...body, toAccountId: UNKNOWN },
    });
    expect(unknownField.status).toBe(400);
    expect(fieldsOf(unknownField.json)).toEqual(['body.toAccountId']);
    expect(await h.balanceOf(alice.wallet.id)).toBe(100);
  });
});

describe('GET /api/v1/transfers and /api/v1/transfers/{id}', () => {
  it('shows a student the transfers into and out of their accounts, newest first, paged, by kind', async () => {
    const alice = await holder(1_000);
    const bob = await holder(1_000);
    const carol = await holder(1_000);
    const pay = (from: typeof alice, to: typeof alice, amount: number) =>
      h.call('POST', '/api/v1/transfers', {
        token: from.token,
        key: newKey(),
        body: { fromAccountId: from.wallet.id, toAccountId: to.wallet.id, amount, currency: 'MWK' },
      });
    const ids = [
      (await pay(alice, bob, 1)).json.id,
      (await pay(bob, alice, 2)).json.id,
      (await pay(bob, carol, 3)).json.id,
    ];
    await h.call('POST', '/api/v1/withdrawals', {
      token: alice.token,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 4, currency: 'MWK' },
    });

    const seen: { id: string; kind: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        json: { items: { id: string; kind: string }[]; nextCursor: string | null };
      } = await h.call('GET', `/api/v1/transfers?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: alice.token,
      });
      expect(page.status).toBe(200);
      seen.push(...page.json.items);
      cursor = page.json.nextCursor;
    } while (cursor);
    // Alice's deposit, her payment to Bob, Bob's payment to her, her withdrawal — not Bob's payment to Carol.
    expect(seen.map((t) => t.kind)).toEqual(['withdrawal', 'transfer', 'transfer', 'deposit']);
    expect(seen.map((t) => t.id)).not.toContain(ids[2]);
    expect(seen.map((t) => t.id).slice(1, 3)).toEqual([ids[1], ids[0]]);

    const transfersOnly = await h.call('GET', '/api/v1/transfers?kind=transfer', { token: alice.token });
    expect(transfersOnly.json.items.map((t: { id: string }) => t.id)).toEqual([ids[1], ids[0]]);
    const byAccount = await h.call('GET', `/api/v1/transfers?accountId=${carol.wallet.id}`, {
      token: h.tokens.agent,
    });
    expect(byAccount.json.items.map((t: { kind: string }) => t.kind)).toEqual(['transfer', 'deposit']);
    const byUser = await h.call('GET', `/api/v1/transfers?userId=${carol.id}`, { token: h.tokens.admin });
    expect(byUser.json.items).toEqual(byAccount.json.items);
  });

  it('keeps other people’s transfers from students; staff see all', async () => {
    const alice = await holder(1_000);
    const bob = await holder();
    const paid = await h.call('POST', '/api/v1/transfers', {
      token: alice.token,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: bob.wallet.id, amount: 5, currency: 'MWK' },
    });
    const path = `/api/v1/transfers/${paid.json.id}`;
    for (const token of [alice.token, bob.token, h.tokens.agent, h.tokens.admin]) {
      const one = await h.call('GET', path, { token });
      expect(one.status).toBe(200);
      expect(one.json).toEqual(paid.json);
    }
    const other = await h.call('GET', path, { token: h.tokens.otherStudent });
    expect(other.status).toBe(404);
    expect(other.json.code).toBe('transfer_not_found');
    expect((await h.call('GET', path)).status).toBe(401);
    expect((await h.call('GET', '/api/v1/transfers')).status).toBe(401);
    expect((await h.call('GET', `/api/v1/transfers/${UNKNOWN}`, { token: h.tokens.admin })).status).toBe(404);

    const others = await h.call('GET', `/api/v1/transfers?userId=${alice.id}`, {
      token: h.tokens.otherStudent,
    });
    expect(others.status).toBe(403);
    const othersAccount = await h.call('GET', `/api/v1/transfers?accountId=${alice.wallet.id}`, {
      token: h.tokens.otherStudent,
    });
    expect(othersAccount.status).toBe(404);
    const all = await h.call('GET', '/api/v1/transfers?limit=100', { token: h.tokens.agent });
    expect(all.json.items.map((t: { id: string }) => t.id)).toContain(paid.json.id);
  });

  it.each(['limit=0', 'limit=101', 'kind=gift', 'cursor=%21%21', 'accountId=abc'])(
    'answers 400 for %s',
    async (query) => {
      expect((await h.call('GET', `/api/v1/transfers?${query}`, { token: h.tokens.admin })).status).toBe(400);
    },
  );
});

describe('events', () => {
  it('puts transfer.completed in the outbox in the same transaction as the transfer', async () => {
    const alice = await holder(700);
    const outbox = await h.deps.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('type', '=', 'transfer.completed')
      .execute();
    const deposit = outbox
      .map((row) => JSON.parse(row.payload))
      .find((data) => data.toAccountId === alice.wallet.id);
    expect(deposit).toMatchObject({
      purpose: 'deposit',
      toUserId: alice.id,
      fromUserId: null,
      loanId: null,
      amount: { amountMinor: '700', currency: 'MWK' },
    });
  });
});
