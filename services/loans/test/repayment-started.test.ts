import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateText } from '../src/lending/business-date.js';
import { businessDate } from '../src/lending/lending-service.js';
import { closeLoanDay } from '../src/lending/loan-day.js';
import { dailyLoanRow } from './daily-loan.js';
import { createLoansHarness, type LoansHarness } from './harness.js';

/**
 * loan.repaymentStarted@1: in the transaction that builds a daily-interest loan's schedule, whether close
 * of business moves the loan into repayment or the loan is disbursed with studies and grace already over.
 */
let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
}, 120_000);
afterAll(() => h?.close());

const scheduleOf = (loanId: string) =>
  h.deps.db
    .selectFrom('instalments')
    .select(['number', 'principal_due', 'interest_due'])
    .select(dateText('due_date').as('due'))
    .where('loan_id', '=', loanId)
    .orderBy('number')
    .execute();

const mwk = (amountMinor: bigint | string) => ({ amountMinor: amountMinor.toString(), currency: 'MWK' });

describe('loan.repaymentStarted', () => {
  it('is emitted by close of business when grace ends, with the first due date and instalment of the schedule', async () => {
    // docs/lending-model.md's worked example on its last day of grace: that day's 1.10 brings the interest
    // to capitalise to 1,132.05 (carry 1,750,000), and repayment starts the next day on 11,132.05.
    const loan = dailyLoanRow({
      phase: 'GRACE',
      accrued_interest: '113095',
      interest_carry: '3250000',
      accrued_through: '2030-06-28',
    });
    await h.deps.db.insertInto('loans').values(loan).execute();
    expect(
      await h.deps.db.transaction().execute((trx) => closeLoanDay(trx, loan.id, '2030-06-29', new Date())),
    ).toBe(true);

    const events = await h.outboxOf(loan.id);
    expect(events.map((event) => event.type)).toEqual([
      'loan.interestCapitalised',
      'loan.repaymentStarted',
      'loan.phaseChanged',
    ]);
    const schedule = await scheduleOf(loan.id);
    expect(schedule).toHaveLength(12);
    // The worked example's first instalment: 36.60 of interest; 947.89 in all, the annuity amount.
    expect(schedule[0]).toMatchObject({ due: '2030-07-30', interest_due: '3660', principal_due: '91129' });
    expect(events[1]?.data).toEqual({
      loanId: loan.id,
      studentId: loan.student_id,
      businessDate: '2030-06-30',
      firstDueDate: '2030-07-30',
      instalment: mwk(94_789n),
      instalments: 12,
      principal: mwk(1_113_205n),
    });
  });

  it('is emitted at disbursement when studies and grace are already over, with the schedule built then', async () => {
    // Studies end today and there is no grace: the loan repays from its first day.
    const today = await businessDate(h.deps);
    const { id: productId } = h.product({
      annualRateBps: 400,
      interestDuringStudy: 'capitalised',
      graceMonthsAfterStudy: 0,
    });
    const raised = await h.raiseLoan({
      productId,
      principal: 1_000_000,
      termMonths: 12,
      studyEndDate: today,
    });
    const approved = await h.call('POST', `/api/v1/loans/${raised.id}/approve`, {
      token: h.tokens.admin,
      body: {},
    });
    expect(approved.status, approved.text).toBe(200);
    const started = await waitFor(
      async () => {
        const found = (await h.outboxOf(raised.id)).filter((event) => event.type === 'loan.repaymentStarted');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 15_000, what: `loan ${raised.id} to be disbursed` },
    );

    const schedule = await scheduleOf(raised.id);
    const [first] = schedule;
    expect(schedule).toHaveLength(12);
    expect(started).toEqual([
      {
        type: 'loan.repaymentStarted',
        data: {
          loanId: raised.id,
          studentId: h.ids.student,
          businessDate: today,
          firstDueDate: first?.due,
          instalment: mwk(BigInt(first?.principal_due ?? 0) + BigInt(first?.interest_due ?? 0)),
          instalments: 12,
          principal: mwk(1_000_000n),
        },
      },
    ]);
    // The same total as the worked example's 10,000.00 at 4 % over 12 months: 851.50.
    expect(started[0]?.data.instalment).toEqual(mwk(85_150n));
  });
});
