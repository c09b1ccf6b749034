import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, type LedgerHarness } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await createLedgerHarness();
});
afterAll(() => h.close());

function loanApproved(studentId: string, amountMinor: string, currency = 'MWK', loanId = randomUUID()) {
  return {
    id: uuidv7(),
    type: 'loan.approved',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'loans',
    data: { loanId, studentId, approvedBy: randomUUID(), principal: { amountMinor, currency } },
  };
}

const deliver = (envelope: Parameters<LedgerHarness['deliver']>[0]) => h.deliver(envelope);

async function outboxFor(loanId: string) {
  const rows = await h.deps.db
    .selectFrom('outbox')
    .select(['type', 'payload'])
    .where('aggregate_key', '=', loanId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ type: row.type, data: JSON.parse(row.payload) }));
}

const disbursements = (loanId: string) =>
  h.deps.db.selectFrom('transfers').selectAll().where('loan_id', '=', loanId).execute();

describe('loan.approved (the disbursement saga)', () => {
  it("disburses the principal into the student's wallet, opening it, and says so with transfer.completed", async () => {
    const studentId = randomUUID();
    const event = loanApproved(studentId, '25000000');
    const response = await deliver(event);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'processed' });
    const [transfer] = await disbursements(event.data.loanId);
    expect(transfer).toMatchObject({
      kind: 'disbursement',
      amount: '25000000',
      to_user_id: studentId,
      initiator: 'platform',
      idempotency_key: event.data.loanId,
    });
    const wallet = await h.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('owner_id', '=', studentId)
      .executeTakeFirstOrThrow();
    expect(wallet.balance).toBe('25000000');
    expect(await outboxFor(event.data.loanId)).toEqual([
      {
        type: 'transfer.completed',
        data: expect.objectContaining({
          purpose: 'disbursement',
          loanId: event.data.loanId,
          toUserId: studentId,
          transferId: transfer?.id,
        }),
      },
    ]);
  });

  it('has no second effect when the event is delivered again, or a second event names the same loan', async () => {
    const event = loanApproved(randomUUID(), '1000');
    await deliver(event);
    const again = await deliver(event);
    expect(again.json).toEqual({ status: 'duplicate' });
    const second = await deliver({ ...event, id: uuidv7() });
    expect(second.json).toEqual({ status: 'processed' });
    expect(await disbursements(event.data.loanId)).toHaveLength(1);
    // The repeat is answered with the same transfer.completed, so the saga still converges.
    const events = await outboxFor(event.data.loanId);
    expect(events.map((e) => e.type)).toEqual(['transfer.completed', 'transfer.completed']);
    expect(events[1]?.data.transferId).toBe(events[0]?.data.transferId);
  });

  it('answers disbursement.failed, moving nothing, when the wallet is frozen — and disburses once it is not', async () => {
    const student = await h.newStudent();
    const wallet = await h.openWallet(student.token);
    await h.call('POST', `/api/v1/accounts/${wallet.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v1"' },
    });
    const event = loanApproved(student.id, '5000');
    expect((await deliver(event)).status).toBe(200);
    expect(await disbursements(event.data.loanId)).toEqual([]);
    expect(await outboxFor(event.data.loanId)).toEqual([
      {
        type: 'disbursement.failed',
        data: {
          loanId: event.data.loanId,
          studentId: student.id,
          amount: { amountMinor: '5000', currency: 'MWK' },
          reason: 'account_frozen',
        },
      },
    ]);
    // An admin fixes the cause; loans approves again (a new event, the same loan): now it goes through.
    await h.call('POST', `/api/v1/accounts/${wallet.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': '"v2"' },
    });
    await deliver({ ...event, id: uuidv7() });
    expect(await disbursements(event.data.loanId)).toHaveLength(1);
    expect(await h.balanceOf(wallet.id)).toBe(5000);
  });

  it('answers disbursement.failed when the currency has no funding account', async () => {
    const event = loanApproved(randomUUID(), '5000', 'EUR');
    expect((await deliver(event)).status).toBe(200);
    expect((await outboxFor(event.data.loanId)).map((e) => [e.type, e.data.reason])).toEqual([
      ['disbursement.failed', 'no_funding_account'],
    ]);
    expect(
      await h.deps.db
        .selectFrom('accounts')
        .select('id')
        .where('owner_id', '=', event.data.studentId)
        .execute(),
    ).toEqual([]);
  });

  it('never disburses a loan the internal route already paid out', async () => {
    const studentId = randomUUID();
    const event = loanApproved(studentId, '700');
    const paid = await h.callInternal(
      '/internal/transfers',
      { kind: 'disbursement', userId: studentId, loanId: event.data.loanId, amount: 700, currency: 'MWK' },
      { key: event.data.loanId },
    );
    expect(paid.status).toBe(201);
    await deliver(event);
    expect(await disbursements(event.data.loanId)).toHaveLength(1);
  });

  it('takes events from JetStream only: there is no /internal/events route', async () => {
    const response = await h.call('POST', '/internal/events', { body: loanApproved(randomUUID(), '1') });
    expect(response.status).toBe(404);
  });
});
