import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveBusinessDate } from '../src/lending/lending-service.js';
import { createLoansHarness, fieldsOf, type LoansHarness, newKey } from './harness.js';

// Loans on the lending model through loans' routes, with the real ledger moving the money. The business
// date belongs to this file's database: it starts on 1 September 2027 and only moves forward.
let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
  await moveBusinessDate(h.deps, '2027-09-01');
}, 120_000);
afterAll(() => h.close());

const studyTerms = {
  annualRateBps: 400,
  interestDuringStudy: 'capitalised',
  graceMonthsAfterStudy: 12,
} as const;

async function newStudent() {
  const id = randomUUID();
  h.stub.completeFiles.set(id, true);
  return { id, token: await h.issuer.token({ sub: id, role: 'student' }) };
}

const loanOf = async (id: string) =>
  (await h.call('GET', `/api/v1/loans/${id}`, { token: h.tokens.admin })).json;

/** A loan of 10,000.00 raised by the agent, approved by an admin and disbursed by the ledger. */
async function disbursedLoan(product: Parameters<LoansHarness['product']>[0], studyEndDate?: string) {
  const student = await newStudent();
  const { id: productId } = h.product({ minTermMonths: 3, maxTermMonths: 24, ...product });
  const loan = await h.raiseLoan({
    studentId: student.id,
    productId,
    principal: 1_000_000,
    termMonths: 12,
    studyEndDate,
  });
  expect(
    (await h.call('POST', `/api/v1/loans/${loan.id}/approve`, { token: h.tokens.admin, body: {} })).status,
  ).toBe(200);
  const disbursed = await waitFor(
    async () => {
      const shown = await loanOf(loan.id);
      return shown.status === 'DISBURSED' ? shown : undefined;
    },
    { timeoutMs: 15_000, what: `loan ${loan.id} to be disbursed` },
  );
  return { student, loan: disbursed };
}

const advance = (businessDate: string) =>
  h.call('POST', '/api/v1/lending/business-date', { token: h.tokens.admin, body: { businessDate } });

const historyOf = async (id: string) =>
  (await h.call('GET', `/api/v1/loans/${id}/lending-history`, { token: h.tokens.agent })).json.items;

const repay = (loanId: string, token: string, body: Record<string, unknown>) =>
  h.call('POST', `/api/v1/loans/${loanId}/repayments`, { token, key: newKey(), body });

describe('applying for a loan of a product with study terms', () => {
  it('needs an expected study end date, not in the past, and only where the product has study terms', async () => {
    const student = await newStudent();
    const study = h.product(studyTerms);
    const legacy = h.product();
    const apply = (productId: string, studyEndDate?: string) =>
      h.call('POST', '/api/v1/loans', {
        token: h.tokens.agent,
        key: newKey(),
        body: {
          productId,
          principal: 1_000_000,
          termMonths: 12,
          purpose: 'Tuition',
          academicYear: '2027/2028',
          studentId: student.id,
          ...(studyEndDate ? { studyEndDate } : {}),
        },
      });
    const missing = await apply(study.id);
    expect(missing.status).toBe(422);
    expect(missing.json).toMatchObject({ code: 'study_end_date_required' });
    expect(fieldsOf(missing.json)).toEqual(['body.studyEndDate']);
    const past = await apply(study.id, '2027-08-31');
    expect(past.json).toMatchObject({ code: 'study_end_date_in_past' });
    expect(fieldsOf(past.json)).toEqual(['body.studyEndDate']);
    expect((await apply(study.id, '2029-02-30')).status).toBe(400);
    const notOffered = await apply(legacy.id, '2030-06-30');
    expect(notOffered.json).toMatchObject({ code: 'study_terms_not_offered' });

    const created = await apply(study.id, '2030-06-30');
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      interestMethod: 'daily',
      studyEndDate: '2030-06-30',
      interestDuringStudy: 'capitalised',
      graceMonthsAfterStudy: 12,
      repaymentStartDate: '2031-06-30',
      phase: null,
    });
    const amended = await h.call('PATCH', `/api/v1/loans/${created.json.id}`, {
      token: h.tokens.agent,
      headers: { 'if-match': created.headers.get('etag') as string },
      body: { studyEndDate: '2029-12-31' },
    });
    expect(amended.status).toBe(200);
    expect(amended.json).toMatchObject({ studyEndDate: '2029-12-31', repaymentStartDate: '2030-12-31' });
    expect((await apply(legacy.id)).json).toMatchObject({ interestMethod: 'legacy', studyEndDate: null });
  });
});

describe('ending studies early', () => {
  it('moves an IN_SCHOOL loan into grace from the date given, with who and why; anything else is refused', async () => {
    const { student, loan } = await disbursedLoan(studyTerms, '2031-06-30');
    expect(loan).toMatchObject({ phase: 'IN_SCHOOL', principalOutstanding: 1_000_000, accruedInterest: 0 });
    const end = (body: Record<string, unknown>, token = h.tokens.agent) =>
      h.call('POST', `/api/v1/loans/${loan.id}/end-studies`, { token, body });

    expect((await h.call('POST', `/api/v1/loans/${loan.id}/end-studies`, { body: {} })).status).toBe(401);
    expect((await end({ date: '2027-09-01', reason: 'Left' }, student.token)).status).toBe(403);
    const past = await end({ date: '2027-08-31', reason: 'Left' });
    expect(past.status).toBe(422);
    expect(fieldsOf(past.json)).toEqual(['body.date']);
    expect((await end({ date: '2031-06-30', reason: 'Left' })).json).toMatchObject({
      code: 'study_end_date_invalid',
    });
    expect((await end({ date: '2027-09-01' })).status).toBe(400);

    const ended = await end({ date: '2027-09-01', reason: 'Withdrew from the programme' });
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({
      phase: 'GRACE',
      studyEndDate: '2027-09-01',
      repaymentStartDate: '2028-09-01',
    });
    expect(await historyOf(loan.id)).toMatchObject([
      {
        kind: 'studies_ended',
        businessDate: '2027-09-01',
        actorId: h.ids.agent,
        reason: 'Withdrew from the programme',
      },
      { kind: 'phase_changed', businessDate: '2027-09-01', from: 'IN_SCHOOL', to: 'GRACE', actorId: null },
    ]);
    expect((await end({ date: '2027-09-02', reason: 'Again' })).json).toMatchObject({
      code: 'not_in_school',
    });

    const { loan: legacy } = await disbursedLoan({});
    const refused = await h.call('POST', `/api/v1/loans/${legacy.id}/end-studies`, {
      token: h.tokens.admin,
      body: { date: '2027-09-01', reason: 'Left' },
    });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'not_in_school' });
  });
});

describe('five years of a student loan, by business date', () => {
  it('accrues in school and grace, capitalises, schedules, takes a prepayment and is paid off', {
    timeout: 240_000,
  }, async () => {
    // docs/lending-model.md's worked example: 10,000.00 at 4 %, study end 30 June 2029, 12 months' grace.
    const { student, loan } = await disbursedLoan(studyTerms, '2029-06-30');
    const { loan: subsidised } = await disbursedLoan(
      { ...studyTerms, interestDuringStudy: 'subsidised' },
      '2029-06-30',
    );
    expect(loan).toMatchObject({ phase: 'IN_SCHOOL', repaymentStartDate: '2030-06-30' });
    const scheduleOf = async (id: string) =>
      (await h.call('GET', `/api/v1/loans/${id}/schedule`, { token: student.token })).json;
    // Nothing changes until repayment starts, so the projection is the schedule it will get.
    const projected = await scheduleOf(loan.id);
    expect(projected.projected).toBe(true);

    expect((await advance('2030-06-30')).status).toBe(200);
    // 1,033 days: 1,132.05 accrued and capitalised; the subsidised loan's board bore the same.
    expect(await loanOf(loan.id)).toMatchObject({
      phase: 'REPAYMENT',
      principalOutstanding: 1_113_205,
      accruedInterest: 0,
      subsidy: 0,
      accruedThrough: '2030-06-29',
    });
    expect(await loanOf(subsidised.id)).toMatchObject({
      phase: 'REPAYMENT',
      principalOutstanding: 1_000_000,
      accruedInterest: 0,
      subsidy: 113_205,
    });
    expect(await historyOf(loan.id)).toMatchObject([
      { kind: 'phase_changed', from: 'IN_SCHOOL', to: 'GRACE', businessDate: '2029-06-30' },
      { kind: 'interest_capitalised', amount: 113_205, businessDate: '2030-06-30' },
      { kind: 'phase_changed', from: 'GRACE', to: 'REPAYMENT', businessDate: '2030-06-30' },
    ]);
    const built = await scheduleOf(loan.id);
    expect(built).toEqual({ ...projected, projected: false });
    expect(built.instalments).toHaveLength(12);
    expect(built.instalments[0]).toMatchObject({ dueDate: '2030-07-30', interest: 3_660 });
    expect(built.instalments.at(-1).dueDate).toBe('2031-06-30');
    const principalParts = built.instalments.reduce(
      (sum: number, i: { principal: number }) => sum + i.principal,
      0,
    );
    expect(principalParts).toBe(1_113_205);
    const level: number = built.instalments[0].total;

    // The first instalment falls due and is paid; nothing more may be paid without a strategy.
    await advance('2030-07-30');
    await h.topUp(student.id, 2_000_000);
    expect((await loanOf(loan.id)).accruedInterest).toBe(3_660);
    const paid = await repay(loan.id, student.token, { amount: level });
    expect(paid.status).toBe(201);
    const noStrategy = await repay(loan.id, student.token, { amount: 300_000 });
    expect(noStrategy.status).toBe(422);
    expect(noStrategy.json).toMatchObject({ code: 'strategy_required' });
    expect(fieldsOf(noStrategy.json)).toEqual(['body.strategy']);

    // A prepayment on the due date: no interest has accrued since, so all of it is principal.
    const principalAfterFirst = 1_113_205 - (level - 3_660);
    const prepaid = await repay(loan.id, student.token, { amount: 300_000, strategy: 'reduce-term' });
    expect(prepaid.status).toBe(201);
    const principal = principalAfterFirst - 300_000;
    expect(prepaid.json).toMatchObject({ outstanding: principal, loanStatus: 'DISBURSED' });
    const shorter = (await h.call('GET', `/api/v1/loans/${loan.id}/schedule`, { token: student.token })).json;
    expect(shorter.instalments.length).toBeLessThan(12);
    expect(shorter.instalments[1].dueDate).toBe('2030-08-30');
    expect(shorter.instalments[1].total).toBeLessThanOrEqual(level);
    const unpaidPrincipal = shorter.instalments.reduce(
      (sum: number, i: { principal: number; principalPaid: number }) => sum + i.principal - i.principalPaid,
      0,
    );
    expect(unpaidPrincipal).toBe(principal);

    // Sixteen days on, the payoff is the principal and the interest of those days (carry 1,210,000 after
    // the first instalment's 30 days), never a day more.
    await advance('2030-08-15');
    const dayInterest = (days: number) => Math.floor((principal * 400 * days + 1_210_000) / 3_650_000);
    const payoff = await h.call('GET', `/api/v1/loans/${loan.id}/payoff`, { token: student.token });
    expect(payoff.json).toEqual({
      loanId: loan.id,
      date: '2030-08-15',
      currency: 'MWK',
      principal,
      interest: dayInterest(16),
      charges: 0,
      total: principal + dayInterest(16),
    });
    const later = await h.call('GET', `/api/v1/loans/${loan.id}/payoff?date=2030-08-20`, {
      token: h.tokens.agent,
    });
    expect(later.json).toMatchObject({ interest: dayInterest(21) });
    const before = await h.call('GET', `/api/v1/loans/${loan.id}/payoff?date=2030-08-14`, {
      token: student.token,
    });
    expect(before.status).toBe(422);
    expect(fieldsOf(before.json)).toEqual(['query.date']);

    const tooMuch = await repay(loan.id, student.token, {
      amount: payoff.json.total + 1,
      strategy: 'reduce-term',
    });
    expect(tooMuch.json).toMatchObject({ code: 'overpayment' });
    const settled = await repay(loan.id, student.token, {
      amount: payoff.json.total,
      strategy: 'reduce-instalment',
    });
    expect(settled.status).toBe(201);
    expect(settled.json).toMatchObject({ outstanding: 0, loanStatus: 'REPAID' });
    expect(await loanOf(loan.id)).toMatchObject({ status: 'REPAID', outstanding: 0, phase: null });
    const wallet = await h.walletOf(student.id);
    expect(Number(wallet?.balance)).toBe(1_000_000 + 2_000_000 - level - 300_000 - payoff.json.total);
  });
});

describe('who may call the loan lending routes', () => {
  it('lets staff and the loan’s student read payoff and lending history; end-studies is for staff', async () => {
    const { student, loan } = await disbursedLoan({});
    const other = await newStudent();
    for (const path of ['payoff', 'lending-history']) {
      const url = `/api/v1/loans/${loan.id}/${path}`;
      expect((await h.call('GET', url)).status).toBe(401);
      expect((await h.call('GET', url, { token: other.token })).status).toBe(404);
      for (const token of [student.token, h.tokens.agent, h.tokens.admin]) {
        expect((await h.call('GET', url, { token })).status).toBe(200);
      }
    }
    const fresh = await h.raiseLoan();
    expect((await h.call('GET', `/api/v1/loans/${fresh.id}/payoff`, { token: h.tokens.agent })).status).toBe(
      409,
    );
    const anyone = await h.call('POST', `/api/v1/loans/${loan.id}/end-studies`, {
      token: student.token,
      body: { date: '2031-01-01', reason: 'x' },
    });
    expect(anyone.status).toBe(403);
  });
});
