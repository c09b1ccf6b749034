import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedAgent,
  completeStudent,
  type Person,
  productBody,
  signInAdmin,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';

/**
 * A student loan across five simulated years, through the edge and real processes, by moving the
 * business date: docs/lending-model.md's worked example (10,000.00 at 4 %, studies ending 30 June 2029,
 * 12 months of grace, interest capitalised).
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ name: 'lending', services: PLATFORM_SERVICES });
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

describe('a student loan from disbursement to REPAID, through the edge', () => {
  let admin: string;
  let agent: Person;
  let student: Person;
  beforeAll(async () => {
    admin = await signInAdmin(platform);
    agent = await approvedAgent(platform, admin);
    student = await completeStudent(platform);
  }, 60_000);

  const moveTo = async (businessDate: string) => {
    const moved = await platform.api('POST', '/lending/business-date', {
      token: admin,
      body: { businessDate },
    });
    expect(moved.status, moved.text).toBe(200);
    return moved.json;
  };
  const loanOf = async (id: string) =>
    (await platform.api('GET', `/loans/${id}`, { token: student.token })).json;
  const repay = (id: string, body: Record<string, unknown>) =>
    platform.api('POST', `/loans/${id}/repayments`, { token: student.token, key: randomUUID(), body });

  it('studies, graces, capitalises, repays, prepays and pays off to the minor unit', {
    timeout: 240_000,
  }, async () => {
    const product = await platform.api('POST', '/products', {
      token: admin,
      body: {
        ...productBody('STUDY'),
        annualRateBps: 400,
        minTermMonths: 12,
        maxTermMonths: 120,
        interestDuringStudy: 'capitalised',
        graceMonthsAfterStudy: 12,
      },
    });
    expect(product.status, product.text).toBe(201);
    await moveTo('2027-09-01');
    expect((await platform.api('GET', '/lending/business-date', { token: student.token })).status).toBe(403);

    const raised = await platform.api('POST', '/loans', {
      token: agent.token,
      key: randomUUID(),
      body: {
        productId: product.json.id,
        principal: 1_000_000,
        termMonths: 12,
        purpose: 'Tuition and upkeep',
        academicYear: '2027/2028',
        studyEndDate: '2029-06-30',
        studentId: student.id,
      },
    });
    expect(raised.status, raised.text).toBe(201);
    const loanId: string = raised.json.id;
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loanId, student.token, 'DISBURSED');
    expect(await loanOf(loanId)).toMatchObject({ phase: 'IN_SCHOOL', repaymentStartDate: '2030-06-30' });
    expect(await walletBalance(platform, student.token)).toBe(1_000_000);

    // 1,033 business dates closed: 1,132.05 capitalised when repayment starts.
    // A year per request, so a slow machine stays within the edge's read timeout.
    const closed: { failures: number }[] = [];
    for (const date of ['2028-09-01', '2029-09-01', '2030-06-30'])
      closed.push(...(await moveTo(date)).closed);
    expect(closed).toHaveLength(1_033);
    expect(closed.every((run) => run.failures === 0)).toBe(true);
    expect(await loanOf(loanId)).toMatchObject({ phase: 'REPAYMENT', principalOutstanding: 1_113_205 });
    const history = (await platform.api('GET', `/loans/${loanId}/lending-history`, { token: student.token }))
      .json;
    expect(
      history.items.map((entry: { kind: string; amount: number | null }) => [entry.kind, entry.amount]),
    ).toEqual([
      ['phase_changed', null],
      ['interest_capitalised', 113_205],
      ['phase_changed', null],
    ]);
    const schedule = (await platform.api('GET', `/loans/${loanId}/schedule`, { token: student.token })).json;
    expect(schedule.instalments[0]).toMatchObject({ dueDate: '2030-07-30', interest: 3_660 });
    const level: number = schedule.instalments[0].total;

    // The first instalment is paid on its due date, then 300,000 ahead with reduce-term.
    await moveTo('2030-07-30');
    const wallet = (await platform.api('GET', '/accounts', { token: student.token })).json.items[0];
    const deposit = await platform.api('POST', '/deposits', {
      token: admin,
      key: randomUUID(),
      body: { accountId: wallet.id, amount: 1_000_000, currency: 'MWK' },
    });
    expect(deposit.status, deposit.text).toBe(201);
    expect((await repay(loanId, { amount: level })).status).toBe(201);
    expect((await repay(loanId, { amount: 300_000 })).json).toMatchObject({ code: 'strategy_required' });
    const prepaid = await repay(loanId, { amount: 300_000, strategy: 'reduce-term' });
    expect(prepaid.status, prepaid.text).toBe(201);
    const principal = 1_113_205 - (level - 3_660) - 300_000;
    expect(prepaid.json.outstanding).toBe(principal);

    // Sixteen days later the payoff is that principal and sixteen days of its interest; it settles the loan.
    await moveTo('2030-08-15');
    const payoff = (await platform.api('GET', `/loans/${loanId}/payoff`, { token: student.token })).json;
    const interest = Math.floor((principal * 400 * 16 + 1_210_000) / 3_650_000);
    expect(payoff).toMatchObject({ date: '2030-08-15', principal, interest, total: principal + interest });
    const settled = await repay(loanId, { amount: payoff.total, strategy: 'reduce-instalment' });
    expect(settled.json).toMatchObject({ outstanding: 0, loanStatus: 'REPAID' });
    expect(await loanOf(loanId)).toMatchObject({ status: 'REPAID', outstanding: 0 });

    // The student heard about it in the app.
    const kinds = await waitFor(
      async () => {
        const notices = await platform.api('GET', '/notifications?limit=100', { token: student.token });
        if (notices.status !== 200)
          throw new Error(`notifications answered ${notices.status} ${notices.text}`);
        const seen = new Set(notices.json.items.map((notice: { kind: string }) => notice.kind));
        return seen.has('interest_capitalised') && seen.has('loan_repaid') ? seen : undefined;
      },
      { timeoutMs: 30_000, what: 'the capitalisation and repaid notices' },
    );
    expect(kinds.has('loan_phase_changed')).toBe(true);
    // Repayment's start and the reminder a week before the first due date, delivered before loan.repaid.
    const notices = (await platform.api('GET', '/notifications?limit=100', { token: student.token })).json
      .items as { kind: string; body: string }[];
    const bodiesOf = (kind: string) => notices.filter((notice) => notice.kind === kind).map((n) => n.body);
    expect(bodiesOf('repayment_started')).toEqual([
      'Repayment started on 2030-06-30. Your first instalment of MWK 947.89 is due on 2030-07-30; ' +
        '12 monthly instalments repay MWK 11,132.05.',
    ]);
    expect(bodiesOf('instalment_due_soon')).toEqual(['Instalment 1 (MWK 947.89) is due on 2030-07-30.']);
  });
});
