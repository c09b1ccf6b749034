import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markOverdueInstalments } from '../src/arrears.js';
import { moveBusinessDate } from '../src/lending/lending-service.js';
import { createLoansHarness, disbursementCompleted, type LoansHarness, newKey } from './harness.js';

let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
});
afterAll(() => h.close());

/** A student with a complete bonding file and a token. */
async function newStudent() {
  const id = randomUUID();
  h.stub.completeFiles.set(id, true);
  return { id, token: await h.issuer.token({ sub: id, role: 'student' }) };
}

async function loanOf(id: string) {
  return (await h.call('GET', `/api/v1/loans/${id}`, { token: h.tokens.admin })).json;
}

const waitForStatus = (id: string, status: string) =>
  waitFor(
    async () => {
      const loan = await loanOf(id);
      return loan.status === status ? loan : undefined;
    },
    { timeoutMs: 15_000, what: `loan ${id} to be ${status}` },
  );

const approve = (id: string) =>
  h.call('POST', `/api/v1/loans/${id}/approve`, { token: h.tokens.admin, body: {} });

const disbursementsOf = (loanId: string) =>
  h.ledgerDeps.db
    .selectFrom('transfers')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('kind', '=', 'disbursement')
    .execute();

const walletOf = (studentId: string) => h.walletOf(studentId);

/** A disbursed loan of `principal` at 12 % over three months, for a new student. */
async function disbursedLoan(principal = 1_000_000, gracePeriodMonths = 0) {
  const student = await newStudent();
  const product = h.product({ annualRateBps: 1_200, gracePeriodMonths });
  const loan = await h.raiseLoan({ studentId: student.id, productId: product.id, principal, termMonths: 3 });
  await approve(loan.id);
  const disbursed = await waitForStatus(loan.id, 'DISBURSED');
  return { student, loan: disbursed };
}

describe('the disbursement saga, with the real ledger', () => {
  it("disburses an approved loan into the student's wallet, builds the schedule and emits loan.disbursed", async () => {
    const student = await newStudent();
    const product = h.product({ annualRateBps: 1_200, gracePeriodMonths: 2 });
    const loan = await h.raiseLoan({ studentId: student.id, productId: product.id, principal: 2_500_000 });
    await approve(loan.id);
    const disbursed = await waitForStatus(loan.id, 'DISBURSED');
    expect(disbursed.disbursedAt).not.toBeNull();
    expect(disbursed.outstanding).toBeGreaterThan(2_500_000);
    expect(disbursed.daysPastDue).toBe(0);
    expect((await walletOf(student.id))?.balance).toBe('2500000');
    const [transfer] = await disbursementsOf(loan.id);
    expect(await h.outboxOf(loan.id)).toContainEqual({
      type: 'loan.disbursed',
      data: {
        loanId: loan.id,
        studentId: student.id,
        transferId: transfer?.id,
        amount: { amountMinor: '2500000', currency: 'MWK' },
      },
    });
    const schedule = await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: student.token });
    expect(schedule.json.projected).toBe(false);
    expect(schedule.json.instalments).toHaveLength(12);
    // The grace period starts at disbursement; the first instalment falls due a month after it.
    const disbursedOn = new Date(disbursed.disbursedAt);
    const firstDue = new Date(Date.UTC(disbursedOn.getUTCFullYear(), disbursedOn.getUTCMonth() + 3, 1));
    expect(schedule.json.instalments[0].dueDate.slice(0, 7)).toBe(firstDue.toISOString().slice(0, 7));
    const history = await h.call('GET', `/api/v1/loans/${loan.id}/history`, { token: h.tokens.agent });
    expect(history.json.items.at(-1)).toMatchObject({ from: 'APPROVED', to: 'DISBURSED', actorId: null });
  });

  it('has no second effect when the outcome is delivered again', async () => {
    const { loan } = await disbursedLoan();
    const [transfer] = await disbursementsOf(loan.id);
    const envelope = disbursementCompleted(transfer, {
      loanId: loan.id,
      studentId: loan.studentId,
      amountMinor: String(loan.principal),
    });
    expect((await h.deliver(envelope)).json).toEqual({ status: 'processed' });
    expect((await h.deliver(envelope)).json).toEqual({ status: 'duplicate' });
    const after = await loanOf(loan.id);
    expect(after.version).toBe(loan.version);
    const disbursedEvents = (await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.disbursed');
    expect(disbursedEvents).toHaveLength(1);
    const instalments = await h.deps.db
      .selectFrom('instalments')
      .select('number')
      .where('loan_id', '=', loan.id)
      .execute();
    expect(instalments).toHaveLength(3);
  });

  it('marks a loan DISBURSEMENT_FAILED when the wallet is frozen, and disburses it once after unfreeze and retry', async () => {
    const student = await newStudent();
    const opened = await h.callLedger('POST', '/api/v1/accounts', {
      token: student.token,
      body: { currency: 'MWK' },
    });
    expect(opened.status).toBe(201);
    const frozen = await h.callLedger('POST', `/api/v1/accounts/${opened.json.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': opened.headers.get('ETag') ?? '' },
    });
    expect(frozen.status).toBe(200);
    const loan = await h.raiseLoan({ studentId: student.id });
    await approve(loan.id);
    const failed = await waitForStatus(loan.id, 'DISBURSEMENT_FAILED');
    expect(failed.failureReason).toBe('wallet_frozen');
    const history = await h.call('GET', `/api/v1/loans/${loan.id}/history`, { token: h.tokens.admin });
    expect(history.json.items.at(-1)).toMatchObject({ to: 'DISBURSEMENT_FAILED', reason: 'wallet_frozen' });

    // Only admins retry.
    const byAgent = await h.call('POST', `/api/v1/loans/${loan.id}/retry-disbursement`, {
      token: h.tokens.agent,
      body: {},
    });
    expect(byAgent.status).toBe(403);
    const unfrozen = await h.callLedger('POST', `/api/v1/accounts/${opened.json.id}/unfreeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': frozen.headers.get('ETag') ?? '' },
    });
    expect(unfrozen.status).toBe(200);
    const retried = await h.call('POST', `/api/v1/loans/${loan.id}/retry-disbursement`, {
      token: h.tokens.admin,
      body: {},
    });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: 'APPROVED', failureReason: null });
    await waitForStatus(loan.id, 'DISBURSED');
    expect(await disbursementsOf(loan.id)).toHaveLength(1);
    expect((await walletOf(student.id))?.balance).toBe('1000000');
    // Approved once; its tranche asked for twice, paid once (the ledger keys it by the tranche id).
    const events = (await h.outboxOf(loan.id)).map((e) => e.type);
    expect(events.filter((type) => type === 'loan.approved')).toHaveLength(1);
    expect(events.filter((type) => type === 'tranche.releaseRequested')).toHaveLength(2);
  });
});

describe('a ledger that is down', () => {
  it('disburses an approval made while it was down exactly once, when it is back', async () => {
    const student = await newStudent();
    const loan = await h.raiseLoan({ studentId: student.id });
    await h.stopLedger();
    try {
      expect((await approve(loan.id)).status).toBe(200);
      // loans keeps trying to deliver loan.approved; nothing can happen meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await loanOf(loan.id)).status).toBe('APPROVED');
    } finally {
      await h.restartLedger();
    }
    await waitForStatus(loan.id, 'DISBURSED');
    expect(await disbursementsOf(loan.id)).toHaveLength(1);
    expect((await walletOf(student.id))?.balance).toBe('1000000');
  });
});

describe('repayments', () => {
  const repay = (loanId: string, token: string, amount: unknown, key = newKey()) =>
    h.call('POST', `/api/v1/loans/${loanId}/repayments`, { token, key, body: { amount } });

  const topUp = (studentId: string, amount: number) => h.topUp(studentId, amount);

  it('takes a loan to REPAID in two parts, interest first on the earliest instalment, moving the money', async () => {
    const { student, loan } = await disbursedLoan();
    await topUp(student.id, 100_000);
    const owed: number = loan.outstanding;
    const first = await repay(loan.id, student.token, 400_000);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      amount: 400_000,
      outstanding: owed - 400_000,
      loanStatus: 'DISBURSED',
    });
    const schedule = await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: student.token });
    const [one, two] = schedule.json.instalments;
    expect(one.interestPaid).toBe(one.interest);
    expect(one.principalPaid).toBe(one.principal);
    expect(two.interestPaid + two.principalPaid).toBe(400_000 - one.total);
    const second = await repay(loan.id, student.token, owed - 400_000);
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ outstanding: 0, loanStatus: 'REPAID' });
    const after = await loanOf(loan.id);
    expect(after).toMatchObject({ status: 'REPAID', outstanding: 0 });
    const events = (await h.outboxOf(loan.id)).map((e) => e.type);
    expect(events.slice(-3)).toEqual(['repayment.received', 'repayment.received', 'loan.repaid']);
    expect((await walletOf(student.id))?.balance).toBe(String(1_000_000 + 100_000 - owed));
    const listed = await h.call('GET', `/api/v1/loans/${loan.id}/repayments`, { token: h.tokens.agent });
    expect(listed.json.items.map((r: { amount: number }) => r.amount)).toEqual([owed - 400_000, 400_000]);
    expect((await repay(loan.id, student.token, 1)).status).toBe(409);
  });

  it('refuses an overpayment, and insufficient funds, recording nothing', async () => {
    const { student, loan } = await disbursedLoan();
    const over = await repay(loan.id, student.token, loan.outstanding + 1);
    expect(over.status).toBe(422);
    expect(over.json.code).toBe('overpayment');
    // The wallet holds the principal only; the interest on top is more than it has.
    const short = await repay(loan.id, student.token, loan.outstanding);
    expect(short.status).toBe(422);
    expect(short.json.code).toBe('insufficient_funds');
    const recorded = await h.deps.db
      .selectFrom('repayments')
      .select('id')
      .where('loan_id', '=', loan.id)
      .execute();
    expect(recorded).toEqual([]);
    expect((await loanOf(loan.id)).outstanding).toBe(loan.outstanding);
    expect((await walletOf(student.id))?.balance).toBe('1000000');
  });

  it('never lets two repayments racing each other pay more than is owed', async () => {
    const { student, loan } = await disbursedLoan();
    await topUp(student.id, 1_000_000);
    const results = await Promise.all([
      repay(loan.id, student.token, loan.outstanding),
      repay(loan.id, student.token, loan.outstanding),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    expect([409, 422]).toContain(statuses[1]);
    const transfers = await h.ledgerDeps.db
      .selectFrom('transfers')
      .select('id')
      .where('loan_id', '=', loan.id)
      .where('kind', '=', 'repayment')
      .execute();
    expect(transfers).toHaveLength(1);
    expect(await loanOf(loan.id)).toMatchObject({ status: 'REPAID', outstanding: 0 });
  });

  it('replays a repeated request instead of paying twice', async () => {
    const { student, loan } = await disbursedLoan();
    const key = newKey();
    const first = await repay(loan.id, student.token, 50_000, key);
    const again = await repay(loan.id, student.token, 50_000, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json.id).toBe(first.json.id);
    const transfers = await h.ledgerDeps.db
      .selectFrom('transfers')
      .select('id')
      .where('loan_id', '=', loan.id)
      .where('kind', '=', 'repayment')
      .execute();
    expect(transfers).toHaveLength(1);
  });

  it("lets only the loan's student repay, with a valid amount and key", async () => {
    const { student, loan } = await disbursedLoan();
    expect((await repay(loan.id, h.tokens.agent, 100)).status).toBe(403);
    expect((await repay(loan.id, h.tokens.otherStudent, 100)).status).toBe(404);
    expect((await repay(loan.id, student.token, 10.5)).status).toBe(400);
    expect((await repay(loan.id, student.token, 0)).status).toBe(400);
    const noKey = await h.call('POST', `/api/v1/loans/${loan.id}/repayments`, {
      token: student.token,
      body: { amount: 1 },
    });
    expect(noKey.status).toBe(400);
    const fresh = await h.raiseLoan();
    expect((await repay(fresh.id, h.tokens.student, 100)).status).toBe(409);
  });
});

describe('arrears', () => {
  it('marks instalments overdue once each, even with replicas racing, and shows days past due', async () => {
    const { loan } = await disbursedLoan();
    const schedule = (await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: h.tokens.admin }))
      .json;
    const [one, two] = schedule.instalments;
    // The business date: 10 days after the second instalment fell due.
    const today = new Date(Date.parse(`${two.dueDate}T00:00:00Z`) + 10 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const [a, b] = await Promise.all([
      markOverdueInstalments(h.deps, today),
      markOverdueInstalments(h.deps, today),
    ]);
    // Other tests' loans may be late too: what matters is one event per instalment claimed, whoever claimed it.
    const everyOverdue = await h.deps.db
      .selectFrom('outbox')
      .select('id')
      .where('type', '=', 'loan.overdue')
      .execute();
    expect(everyOverdue).toHaveLength(a + b);
    expect(await markOverdueInstalments(h.deps, today)).toBe(0);
    const overdue = (await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.overdue');
    expect(overdue.map((e) => e.data.installment)).toEqual([1, 2]);
    expect(overdue[0]?.data.overdue).toEqual({ amountMinor: String(one.total), currency: 'MWK' });
    // Arrears are shown as of the business date; close of business on the way marks nothing twice.
    await moveBusinessDate(h.deps, today);
    expect((await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.overdue')).toHaveLength(2);
    const late = await loanOf(loan.id);
    const days = Math.round((Date.parse(today) - Date.parse(one.dueDate)) / 86_400_000);
    expect(late).toMatchObject({ daysPastDue: days, arrears: one.total + two.total });
    const shown = (await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: h.tokens.admin })).json;
    expect(shown.instalments.map((i: { overdue: boolean }) => i.overdue)).toEqual([true, true, false]);
  });
});
