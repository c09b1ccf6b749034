import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, fieldsOf, type LedgerHarness } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness();
});
afterAll(() => h.close());

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

describe('POST /api/v1/accounts', () => {
  it('opens a student their wallet in the platform currency by default', async () => {
    const student = await h.newStudent();
    const response = await h.call('POST', '/api/v1/accounts', { token: student.token, body: {} });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      ownerId: student.id,
      type: 'wallet',
      currency: 'MWK',
      status: 'active',
      balance: 0,
      version: 1,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/accounts/${response.json.id}`);
    expect(response.headers.get('etag')).toBe('"v1"');
  });

  it('opens one wallet per currency, and refuses a second in the same currency (the database enforces it)', async () => {
    const student = await h.newStudent();
    expect(
      (await h.call('POST', '/api/v1/accounts', { token: student.token, body: { currency: 'USD' } })).status,
    ).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.call('POST', '/api/v1/accounts', {
          token: student.token,
          body: { type: 'wallet', currency: 'MWK' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)?.json.code).toBe('account_exists');
    const rows = await h.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('owner_id', '=', student.id)
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('refuses a wallet in a currency the ledger does not carry', async () => {
    const student = await h.newStudent();
    const response = await h.call('POST', '/api/v1/accounts', {
      token: student.token,
      body: { currency: 'ZAR' },
    });
    expect(response.status).toBe(422);
    expect(response.json.code).toBe('currency_not_supported');
  });

  it('lets an admin open the system accounts of a new currency, once each', async () => {
    for (const type of ['funding', 'cash']) {
      const response = await h.call('POST', '/api/v1/accounts', {
        token: h.tokens.admin,
        body: { type, currency: 'ZMW' },
      });
      expect(response.status).toBe(201);
      expect(response.json).toMatchObject({ type, currency: 'ZMW', ownerId: null, balance: 0 });
    }
    const again = await h.call('POST', '/api/v1/accounts', {
      token: h.tokens.admin,
      body: { type: 'cash', currency: 'ZMW' },
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('account_exists');
    // Now students can hold the new currency.
    const student = await h.newStudent();
    expect(
      (await h.call('POST', '/api/v1/accounts', { token: student.token, body: { currency: 'ZMW' } })).status,
    ).toBe(201);
  });

  it('keeps wallets for students and system accounts for admins', async () => {
    const cases = [
      { token: h.tokens.admin, body: { type: 'wallet' }, status: 403 },
      { token: h.tokens.agent, body: { type: 'wallet' }, status: 403 },
      { token: h.tokens.agent, body: { type: 'funding', currency: 'KES' }, status: 403 },
      { token: h.tokens.student, body: { type: 'cash', currency: 'KES' }, status: 403 },
    ];
    for (const { token, body, status } of cases) {
      const response = await h.call('POST', '/api/v1/accounts', { token, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.json.code).toBe('role_not_allowed');
    }
    expect((await h.call('POST', '/api/v1/accounts', { body: {} })).status).toBe(401);
  });

  it.each([
    ['an unknown field', { currency: 'MWK', ownerId: UNKNOWN }, ['body.ownerId']],
    ['a malformed currency', { currency: 'kwacha' }, ['body.currency']],
    ['an unknown type', { type: 'savings' }, ['body.type']],
  ])('answers 400 naming the field for %s', async (_name, body, fields) => {
    const response = await h.call('POST', '/api/v1/accounts', { token: h.tokens.otherStudent, body });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(fields);
  });
});

describe('reading accounts', () => {
  it('shows a holder their own accounts only; staff see all, filtered', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    const own = await h.call('GET', '/api/v1/accounts', { token: student.token });
    expect(own.status).toBe(200);
    expect(own.json.items.map((a: { id: string }) => a.id)).toEqual([wallet.id]);

    for (const token of [h.tokens.agent, h.tokens.admin]) {
      const byOwner = await h.call('GET', `/api/v1/accounts?ownerId=${student.id}`, { token });
      expect(byOwner.json.items.map((a: { id: string }) => a.id)).toEqual([wallet.id]);
      const funding = await h.call('GET', '/api/v1/accounts?type=funding&currency=MWK', { token });
      expect(funding.json.items).toHaveLength(1);
      expect(funding.json.items[0]).toMatchObject({ type: 'funding', currency: 'MWK', ownerId: null });
    }
    const forbidden = await h.call('GET', `/api/v1/accounts?ownerId=${student.id}`, {
      token: h.tokens.otherStudent,
    });
    expect(forbidden.status).toBe(403);
    expect((await h.call('GET', '/api/v1/accounts')).status).toBe(401);
  });

  it('pages staff lists newest first by keyset', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { id: string }[]; nextCursor: string | null } } = await h.call(
        'GET',
        `/api/v1/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: h.tokens.admin },
      );
      seen.push(...page.json.items.map((a) => a.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const total = await h.deps.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(seen.length).toBe(Number(total.n));
  });

  it('answers one account, its balance and its ETag to its holder and staff; 404 to anyone else', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await h.deposit(wallet.id, 12_345);
    for (const token of [student.token, h.tokens.agent, h.tokens.admin]) {
      const one = await h.call('GET', `/api/v1/accounts/${wallet.id}`, { token });
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject({ id: wallet.id, balance: 12_345 });
      expect(one.headers.get('etag')).toBe('"v1"');
      const balance = await h.call('GET', `/api/v1/accounts/${wallet.id}/balance`, { token });
      expect(balance.status).toBe(200);
      expect(balance.json).toMatchObject({
        accountId: wallet.id,
        currency: 'MWK',
        balance: 12_345,
        status: 'active',
      });
    }
    for (const path of [`/api/v1/accounts/${wallet.id}`, `/api/v1/accounts/${wallet.id}/balance`]) {
      const other = await h.call('GET', path, { token: h.tokens.otherStudent });
      expect(other.status).toBe(404);
      expect(other.json.code).toBe('account_not_found');
      expect((await h.call('GET', path)).status).toBe(401);
    }
    expect((await h.call('GET', `/api/v1/accounts/${UNKNOWN}`, { token: h.tokens.admin })).status).toBe(404);
    expect((await h.call('GET', '/api/v1/accounts/not-a-uuid', { token: h.tokens.admin })).status).toBe(400);
  });
});

describe('freezing, unfreezing and closing', () => {
  async function walletWith(balance: number) {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    if (balance > 0) await h.deposit(wallet.id, balance);
    return { student, wallet };
  }

  it('lets an admin freeze and unfreeze on the ETag they read; a frozen wallet neither sends nor receives', async () => {
    const { student, wallet } = await walletWith(1_000);
    const peer = await walletWith(0);
    const frozen = await h.call('POST', `/api/v1/accounts/${wallet.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(frozen.status).toBe(200);
    expect(frozen.json).toMatchObject({ status: 'frozen', version: 2 });
    expect(frozen.headers.get('etag')).toBe('"v2"');

    const send = await h.call('POST', '/api/v1/transfers', {
      token: student.token,
      key: `k-${wallet.id}-1`,
      body: { fromAccountId: wallet.id, toAccountId: peer.wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(send.status).toBe(409);
    expect(send.json).toMatchObject({ code: 'account_frozen', accountId: wallet.id });
    const receive = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: `k-${wallet.id}-2`,
      body: { accountId: wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(receive.status).toBe(409);
    expect(receive.json.code).toBe('account_frozen');
    expect(await h.balanceOf(wallet.id)).toBe(1_000);

    const again = await h.call('POST', `/api/v1/accounts/${wallet.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('account_not_active');

    const thawed = await h.call('POST', `/api/v1/accounts/${wallet.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    expect(thawed.status).toBe(200);
    expect(thawed.json).toMatchObject({ status: 'active', version: 3 });
  });

  it('answers 428 without If-Match and 412 for a stale ETag; of two racing admins one wins', async () => {
    const { wallet } = await walletWith(0);
    const path = `/api/v1/accounts/${wallet.id}/freeze`;
    expect((await h.call('POST', path, { token: h.tokens.admin })).status).toBe(428);
    const stale = await h.call('POST', path, { token: h.tokens.admin, headers: { 'If-Match': '"v7"' } });
    expect(stale.status).toBe(412);
    expect(stale.json.code).toBe('etag_mismatch');
    const raced = await Promise.all(
      ['freeze', 'close'].map((action) =>
        h.call('POST', `/api/v1/accounts/${wallet.id}/${action}`, {
          token: h.tokens.admin,
          headers: { 'If-Match': '"v1"' },
        }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('closes only an account with a zero balance, for good, cancelling its cards', async () => {
    const { student, wallet } = await walletWith(500);
    const card = await h.call('POST', `/api/v1/accounts/${wallet.id}/cards`, {
      token: student.token,
      body: {},
    });
    expect(card.status).toBe(201);
    const refused = await h.call('POST', `/api/v1/accounts/${wallet.id}/close`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('balance_not_zero');

    const emptied = await h.call('POST', '/api/v1/withdrawals', {
      token: student.token,
      key: `empty-${wallet.id}`,
      body: { accountId: wallet.id, amount: 500, currency: 'MWK' },
    });
    expect(emptied.status).toBe(201);
    const closed = await h.call('POST', `/api/v1/accounts/${wallet.id}/close`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    expect(closed.status).toBe(200);
    expect(closed.json.status).toBe('closed');
    const cards = await h.call('GET', `/api/v1/accounts/${wallet.id}/cards`, { token: student.token });
    expect(cards.json.items.map((c: { status: string }) => c.status)).toEqual(['cancelled']);

    const reopen = await h.call('POST', `/api/v1/accounts/${wallet.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    expect(reopen.status).toBe(409);
    expect(reopen.json.code).toBe('account_closed');
    const deposit = await h.call('POST', '/api/v1/deposits', {
      token: h.tokens.admin,
      key: `closed-${wallet.id}`,
      body: { accountId: wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(deposit.status).toBe(409);
    expect(deposit.json.code).toBe('account_closed');
    // One wallet per user per currency, closed ones included: a closed wallet is not replaced.
    const second = await h.call('POST', '/api/v1/accounts', { token: student.token, body: {} });
    expect(second.status).toBe(409);
  });

  it('is for admins only', async () => {
    const { student, wallet } = await walletWith(0);
    for (const action of ['freeze', 'unfreeze', 'close']) {
      const path = `/api/v1/accounts/${wallet.id}/${action}`;
      const headers = { 'If-Match': '"v1"' };
      expect((await h.call('POST', path, { headers })).status).toBe(401);
      for (const token of [student.token, h.tokens.otherStudent, h.tokens.agent]) {
        expect((await h.call('POST', path, { token, headers })).status).toBe(403);
      }
    }
    expect(
      (
        await h.call('POST', `/api/v1/accounts/${'01900000-0000-7000-8000-000000000000'}/freeze`, {
          token: h.tokens.admin,
          headers: { 'If-Match': '"v1"' },
        })
      ).status,
    ).toBe(404);
  });
});
