import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, fieldsOf, type LedgerHarness } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness({ MAX_CARDS_PER_WALLET: '3' });
});
afterAll(() => h.close());

async function holderWithCard() {
  const student = await h.newStudent();
  const wallet = await h.openWallet(student.token);
  const card = await h.call('POST', `/api/v1/accounts/${wallet.id}/cards`, {
    token: student.token,
    body: {},
  });
  expect(card.status).toBe(201);
  return { student, wallet, card: card.json };
}

describe('virtual cards', () => {
  it('issues a card on the holder’s wallet, keeping only brand, last four digits and expiry', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    const response = await h.call('POST', `/api/v1/accounts/${wallet.id}/cards`, {
      token: student.token,
      body: { brand: 'mastercard' },
    });
    expect(response.status).toBe(201);
    expect(Object.keys(response.json).sort()).toEqual(
      [
        'accountId',
        'brand',
        'createdAt',
        'expiryMonth',
        'expiryYear',
        'id',
        'lastFour',
        'status',
        'updatedAt',
        'version',
      ].sort(),
    );
    expect(response.json).toMatchObject({
      accountId: wallet.id,
      brand: 'mastercard',
      status: 'active',
      version: 1,
    });
    expect(response.json.lastFour).toMatch(/^\d{4}$/);
    expect(response.json.expiryYear).toBe(new Date().getUTCFullYear() + 3);
    expect(response.headers.get('etag')).toBe('"v1"');
    // Nothing that looks like a card number or security code is stored or logged.
    const columns = await h.deps.db
      .selectFrom('cards')
      .selectAll()
      .where('id', '=', response.json.id)
      .executeTakeFirstOrThrow();
    expect(Object.keys(columns).filter((c) => /number|pan|cvv|cvc/i.test(c))).toEqual([]);
    const logged = h.logLines.map(({ time: _time, ...line }) => JSON.stringify(line)).join('\n');
    expect(logged).not.toMatch(/\b\d{13,19}\b/);
  });

  it('lists a wallet’s cards to its holder and staff; 404 to other students', async () => {
    const { student, wallet, card } = await holderWithCard();
    for (const token of [student.token, h.tokens.agent, h.tokens.admin]) {
      const list = await h.call('GET', `/api/v1/accounts/${wallet.id}/cards`, { token });
      expect(list.status).toBe(200);
      expect(list.json.items.map((c: { id: string }) => c.id)).toEqual([card.id]);
    }
    expect(
      (await h.call('GET', `/api/v1/accounts/${wallet.id}/cards`, { token: h.tokens.otherStudent })).status,
    ).toBe(404);
    expect((await h.call('GET', `/api/v1/accounts/${wallet.id}/cards`)).status).toBe(401);
  });

  it('issues cards only to the holder, only on an active wallet, up to the limit', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    const path = `/api/v1/accounts/${wallet.id}/cards`;
    expect((await h.call('POST', path, { body: {} })).status).toBe(401);
    expect((await h.call('POST', path, { token: h.tokens.otherStudent, body: {} })).status).toBe(404);
    for (const token of [h.tokens.agent, h.tokens.admin]) {
      const staff = await h.call('POST', path, { token, body: {} });
      expect(staff.status).toBe(403);
      expect(staff.json.code).toBe('not_account_holder');
    }
    const issued = await Promise.all(
      Array.from({ length: 5 }, () => h.call('POST', path, { token: student.token, body: {} })),
    );
    expect(issued.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409]);
    expect(issued.find((r) => r.status === 409)?.json.code).toBe('card_limit_reached');

    const other = await h.newStudent();
    const otherWallet = await h.openWallet(other.token);
    await h.call('POST', `/api/v1/accounts/${otherWallet.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    const frozen = await h.call('POST', `/api/v1/accounts/${otherWallet.id}/cards`, {
      token: other.token,
      body: {},
    });
    expect(frozen.status).toBe(409);
    expect(frozen.json.code).toBe('account_frozen');
  });

  it.each([
    ['an unknown brand', { brand: 'amex' }, ['body.brand']],
    ['a card number', { number: '4242424242424242' }, ['body.number']],
  ])('answers 400 for %s', async (_name, body, fields) => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    const response = await h.call('POST', `/api/v1/accounts/${wallet.id}/cards`, {
      token: student.token,
      body,
    });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(fields);
  });

  it('lets the holder freeze, unfreeze and cancel on the ETag they read; cancelled is final', async () => {
    const { student, card } = await holderWithCard();
    const act = (action: string, etag?: string, token = student.token) =>
      h.call('POST', `/api/v1/cards/${card.id}/${action}`, {
        token,
        ...(etag ? { headers: { 'If-Match': etag } } : {}),
      });
    expect((await act('freeze')).status).toBe(428);
    const frozen = await act('freeze', '"v1"');
    expect(frozen.status).toBe(200);
    expect(frozen.json).toMatchObject({ status: 'frozen', version: 2 });
    expect(frozen.headers.get('etag')).toBe('"v2"');
    expect((await act('unfreeze', '"v1"')).status).toBe(412);
    expect((await act('freeze', '"v2"')).json.code).toBe('card_not_active');
    expect((await act('unfreeze', '"v2"')).json).toMatchObject({ status: 'active', version: 3 });
    expect((await act('cancel', '"v3"')).json).toMatchObject({ status: 'cancelled', version: 4 });
    const after = await act('unfreeze', '"v4"');
    expect(after.status).toBe(409);
    expect(after.json.code).toBe('card_cancelled');
  });

  it('lets an admin change any card; agents get 403, other students 404, anonymous 401', async () => {
    const { card } = await holderWithCard();
    const path = `/api/v1/cards/${card.id}/freeze`;
    const headers = { 'If-Match': '"v1"' };
    expect((await h.call('POST', path, { headers })).status).toBe(401);
    expect((await h.call('POST', path, { token: h.tokens.otherStudent, headers })).status).toBe(404);
    const agent = await h.call('POST', path, { token: h.tokens.agent, headers });
    expect(agent.status).toBe(403);
    expect(agent.json.code).toBe('not_card_holder');
    expect((await h.call('POST', path, { token: h.tokens.admin, headers })).status).toBe(200);
    expect(
      (
        await h.call('POST', '/api/v1/cards/01900000-0000-7000-8000-000000000000/cancel', {
          token: h.tokens.admin,
          headers,
        })
      ).status,
    ).toBe(404);
    expect(
      (await h.call('POST', '/api/v1/cards/nope/cancel', { token: h.tokens.admin, headers })).status,
    ).toBe(400);
  });
});
