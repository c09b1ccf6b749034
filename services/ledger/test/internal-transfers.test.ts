import { randomUUID } from 'node:crypto';
import { signRequest } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, fieldsOf, type LedgerHarness } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness();
});
afterAll(() => h.close());

const PATH = '/internal/transfers';

const disbursement = (userId: string, amount = 50_000, currency = 'MWK') => ({
  kind: 'disbursement',
  userId,
  loanId: randomUUID(),
  amount,
  currency,
});

async function fundingBalance(currency = 'MWK') {
  const row = await h.deps.db
    .selectFrom('accounts')
    .select('balance')
    .where('type', '=', 'funding')
    .where('currency', '=', currency)
    .executeTakeFirstOrThrow();
  return Number(row.balance);
}

describe('POST /internal/transfers', () => {
  it('refuses calls without a valid, fresh signature', async () => {
    const body = JSON.stringify(disbursement(randomUUID()));
    const unsigned = await h.call('POST', PATH, { body, key: randomUUID() });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.code).toBe('signature_required');
    const forged = await h.callInternal(PATH, body, {
      key: randomUUID(),
      secret: 'another-secret-of-enough-length-00000',
    });
    expect(forged.status).toBe(401);
    expect(forged.json.code).toBe('signature_invalid');
    const stale = await h.call('POST', PATH, {
      body,
      key: randomUUID(),
      headers: {
        'Bonding-Signature': signRequest(
          'ledger-internal-secret-for-tests-only-0001',
          { method: 'POST', path: PATH, body },
          Date.now() - 3_600_000,
        ),
      },
    });
    expect(stale.status).toBe(401);
    expect(stale.json.code).toBe('signature_stale');
    // A user's token is no way in either.
    const withToken = await h.call('POST', PATH, { body, key: randomUUID(), token: h.tokens.admin });
    expect(withToken.status).toBe(401);
    expect(
      await h.deps.db.selectFrom('transfers').select('id').where('kind', '=', 'disbursement').execute(),
    ).toEqual([]);
  });

  it("disburses from the currency's funding account into the student's wallet, opening it if needed", async () => {
    const studentId = randomUUID();
    const before = await fundingBalance();
    const body = disbursement(studentId, 150_000);
    const response = await h.callInternal(PATH, body, { key: body.loanId });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      kind: 'disbursement',
      toUserId: studentId,
      fromUserId: null,
      loanId: body.loanId,
      amount: 150_000,
      initiatedBy: 'platform',
    });
    const wallet = await h.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('owner_id', '=', studentId)
      .executeTakeFirstOrThrow();
    expect(wallet).toMatchObject({
      id: response.json.toAccountId,
      type: 'wallet',
      currency: 'MWK',
      balance: '150000',
    });
    expect(await fundingBalance()).toBe(before - 150_000);

    const outbox = await h.deps.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'transfer.completed')
      .execute();
    expect(outbox.map((row) => JSON.parse(row.payload))).toContainEqual(
      expect.objectContaining({ transferId: response.json.id, purpose: 'disbursement', loanId: body.loanId }),
    );
  });

  it('disburses into the wallet the student already has', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token, 'USD');
    const body = disbursement(student.id, 700, 'USD');
    const response = await h.callInternal(PATH, body, { key: body.loanId });
    expect(response.status).toBe(201);
    expect(response.json.toAccountId).toBe(wallet.id);
  });

  it('disburses a loan once, however often it is asked (the loan id is the key)', async () => {
    const studentId = randomUUID();
    const body = disbursement(studentId, 1_000);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => h.callInternal(PATH, body, { key: body.loanId })),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const replay = await h.callInternal(PATH, body, { key: body.loanId });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const rows = await h.deps.db
      .selectFrom('transfers')
      .select('id')
      .where('loan_id', '=', body.loanId)
      .execute();
    expect(rows).toHaveLength(1);
    const reused = await h.callInternal(PATH, { ...body, amount: 1_001 }, { key: body.loanId });
    expect(reused.status).toBe(409);
    expect(reused.json.code).toBe('idempotency_key_reused');
    const missing = await h.callInternal(PATH, body);
    expect(missing.status).toBe(400);
    expect(missing.json.code).toBe('idempotency_key_required');
  });

  it('takes a repayment from the wallet back to the funding account, never overdrawing it', async () => {
    const studentId = randomUUID();
    const loan = disbursement(studentId, 10_000);
    await h.callInternal(PATH, loan, { key: loan.loanId });
    const before = await fundingBalance();
    const repayment = {
      kind: 'repayment',
      userId: studentId,
      loanId: loan.loanId,
      amount: 4_000,
      currency: 'MWK',
    };
    const paid = await h.callInternal(PATH, repayment, { key: randomUUID() });
    expect(paid.status).toBe(201);
    expect(paid.json).toMatchObject({
      kind: 'repayment',
      fromUserId: studentId,
      toUserId: null,
      loanId: loan.loanId,
    });
    expect(await fundingBalance()).toBe(before + 4_000);
    const tooMuch = await h.callInternal(PATH, { ...repayment, amount: 6_001 }, { key: randomUUID() });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.json.code).toBe('insufficient_funds');
    const noWallet = await h.callInternal(
      PATH,
      { ...repayment, userId: randomUUID() },
      { key: randomUUID() },
    );
    expect(noWallet.status).toBe(404);
    expect(noWallet.json.code).toBe('account_not_found');
  });

  it('refuses to disburse into a frozen wallet or in a currency without a funding account, moving nothing', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await h.call('POST', `/api/v1/accounts/${wallet.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    const before = await fundingBalance();
    const frozen = disbursement(student.id);
    const refused = await h.callInternal(PATH, frozen, { key: frozen.loanId });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'account_frozen', accountId: wallet.id });
    expect(await fundingBalance()).toBe(before);
    // Unfrozen, the same request with the same key goes through: the refusal did not use the key up.
    await h.call('POST', `/api/v1/accounts/${wallet.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    expect((await h.callInternal(PATH, frozen, { key: frozen.loanId })).status).toBe(201);

    const euros = disbursement(randomUUID(), 10, 'EUR');
    const unsupported = await h.callInternal(PATH, euros, { key: euros.loanId });
    expect(unsupported.status).toBe(422);
    expect(unsupported.json.code).toBe('currency_not_supported');
  });

  it.each([
    ['a fraction', '100.5', ['body.amount']],
    ['exponent notation', '1e5', ['body.amount']],
    ['over 2^53 − 1', '9007199254740992', ['body.amount']],
  ])('answers 400 for an amount written as %s', async (_name, amount, fields) => {
    const body = `{"kind":"disbursement","userId":"${randomUUID()}","loanId":"${randomUUID()}","amount":${amount},"currency":"MWK"}`;
    const response = await h.callInternal(PATH, body, { key: randomUUID() });
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(fields);
  });

  it('answers 400 for an unknown kind or field', async () => {
    const response = await h.callInternal(
      PATH,
      { ...disbursement(randomUUID()), kind: 'gift', extra: true },
      { key: randomUUID() },
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual(['body.extra', 'body.kind']);
  });

  it('stays out of the public API document', async () => {
    const document = (await (await h.app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/internal'))).toEqual([]);
  });
});
