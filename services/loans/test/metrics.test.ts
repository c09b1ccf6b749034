import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoansHarness, disbursementCompleted, type LoansHarness, newKey } from './harness.js';

let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
});
afterAll(() => h.close());

/** One series of the loans registry as /metrics shows it (0 when not yet exported). */
async function sample(name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum)$/, '');
  const metric = (await h.deps.metrics.registry.getMetricsAsJSON()).find((m) => m.name === base);
  const values = (metric?.values ?? []) as {
    value: number;
    metricName?: string;
    labels: Record<string, string | number>;
  }[];
  const found = values.find(
    (v) =>
      (v.metricName ?? base) === name &&
      Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  return found?.value ?? 0;
}

/** The funnel's series, read together so a test can compare before and after. */
const funnel = async () => ({
  appliedByAgent: await sample('loans_applications_total', { raised_by: 'agent' }),
  approved: await sample('loans_decisions_total', { decision: 'approved' }),
  rejected: await sample('loans_decisions_total', { decision: 'rejected' }),
  disbursed: await sample('loans_disbursements_total', { result: 'disbursed' }),
  failed: await sample('loans_disbursements_total', { result: 'failed' }),
  disbursedMinor: await sample('loans_disbursed_minor_units_total', { currency: 'MWK' }),
  lagCount: await sample('loans_disbursement_lag_seconds_count'),
  lagSum: await sample('loans_disbursement_lag_seconds_sum'),
  repayments: await sample('loans_repayments_total', { currency: 'MWK' }),
  repaidMinor: await sample('loans_repayment_minor_units_total', { currency: 'MWK' }),
  loansRepaid: await sample('loans_repaid_total'),
});

async function newStudent() {
  const id = randomUUID();
  h.stub.completeFiles.set(id, true);
  return { id, token: await h.issuer.token({ sub: id, role: 'student' }) };
}

const waitForStatus = (id: string, status: string) =>
  waitFor(
    async () => {
      const loan = (await h.call('GET', `/api/v1/loans/${id}`, { token: h.tokens.admin })).json;
      return loan.status === status ? loan : undefined;
    },
    { timeoutMs: 15_000, what: `loan ${id} to be ${status}` },
  );

const decide = (id: string, decision: 'approve' | 'reject') =>
  h.call('POST', `/api/v1/loans/${id}/${decision}`, {
    token: h.tokens.admin,
    body: decision === 'reject' ? { reason: 'Incomplete transcript' } : {},
  });

describe('loan funnel metrics', () => {
  it('count an application, its approval, disbursement, lag and repayments once each, despite repeats', async () => {
    const before = await funnel();
    const student = await newStudent();
    const product = h.product({ annualRateBps: 0, minTermMonths: 1 });
    const application = {
      token: h.tokens.agent,
      key: newKey(),
      body: {
        productId: product.id,
        principal: 600_000,
        termMonths: 2,
        purpose: 'Tuition, first year',
        academicYear: '2026/2027',
        studentId: student.id,
      },
    };
    const raised = await h.call('POST', '/api/v1/loans', application);
    expect(raised.status, raised.text).toBe(201);
    // The same request again replays the answer: no second application.
    expect((await h.call('POST', '/api/v1/loans', application)).headers.get('Idempotent-Replayed')).toBe(
      'true',
    );

    // Approved "a minute ago" on the business clock, so the lag is known to be at least that.
    h.clock.offsetMs = -60_000;
    try {
      expect((await decide(raised.json.id, 'approve')).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect((await decide(raised.json.id, 'approve')).status).toBe(409);
    const loan = await waitForStatus(raised.json.id, 'DISBURSED');

    // A repeat outcome from the ledger (new event id, and the very same event again) changes nothing.
    const [transfer] = await h.ledgerDeps.db
      .selectFrom('transfers')
      .selectAll()
      .where('loan_id', '=', loan.id)
      .execute();
    const envelope = disbursementCompleted(transfer, {
      loanId: loan.id,
      studentId: student.id,
      amountMinor: '600000',
    });
    expect((await h.deliver(envelope)).json).toEqual({ status: 'processed' });
    expect((await h.deliver(envelope)).json).toEqual({ status: 'duplicate' });

    const repayment = { token: student.token, key: newKey(), body: { amount: 200_000 } };
    expect((await h.call('POST', `/api/v1/loans/${loan.id}/repayments`, repayment)).status).toBe(201);
    expect((await h.call('POST', `/api/v1/loans/${loan.id}/repayments`, repayment)).status).toBe(201);
    const last = await h.call('POST', `/api/v1/loans/${loan.id}/repayments`, {
      token: student.token,
      key: newKey(),
      body: { amount: 400_000 },
    });
    expect(last.json).toMatchObject({ outstanding: 0, loanStatus: 'REPAID' });

    const after = await funnel();
    expect({
      appliedByAgent: after.appliedByAgent - before.appliedByAgent,
      approved: after.approved - before.approved,
      rejected: after.rejected - before.rejected,
      disbursed: after.disbursed - before.disbursed,
      failed: after.failed - before.failed,
      disbursedMinor: after.disbursedMinor - before.disbursedMinor,
      lagCount: after.lagCount - before.lagCount,
      repayments: after.repayments - before.repayments,
      repaidMinor: after.repaidMinor - before.repaidMinor,
      loansRepaid: after.loansRepaid - before.loansRepaid,
    }).toEqual({
      appliedByAgent: 1,
      approved: 1,
      rejected: 0,
      disbursed: 1,
      failed: 0,
      disbursedMinor: 600_000,
      lagCount: 1,
      repayments: 2,
      repaidMinor: 600_000,
      loansRepaid: 1,
    });
    const lag = after.lagSum - before.lagSum;
    expect(lag).toBeGreaterThanOrEqual(60);
    expect(lag).toBeLessThan(120);
  });

  it('count rejections and failed disbursements', async () => {
    const before = await funnel();
    const rejected = await h.raiseLoan();
    expect((await decide(rejected.id, 'reject')).status).toBe(200);

    const student = await newStudent();
    const wallet = await h.callLedger('POST', '/api/v1/accounts', {
      token: student.token,
      body: { currency: 'MWK' },
    });
    const frozen = await h.callLedger('POST', `/api/v1/accounts/${wallet.json.id}/freeze`, {
      token: h.tokens.admin,
      headers: { 'If-Match': wallet.headers.get('ETag') ?? '' },
    });
    expect(frozen.status).toBe(200);
    const loan = await h.raiseLoan({ studentId: student.id });
    expect((await decide(loan.id, 'approve')).status).toBe(200);
    await waitForStatus(loan.id, 'DISBURSEMENT_FAILED');

    const after = await funnel();
    expect(after.appliedByAgent - before.appliedByAgent).toBe(2);
    expect(after.rejected - before.rejected).toBe(1);
    expect(after.approved - before.approved).toBe(1);
    expect(after.failed - before.failed).toBe(1);
    expect(after.disbursed - before.disbursed).toBe(0);
    expect(after.lagCount - before.lagCount).toBe(0);
  });
});
