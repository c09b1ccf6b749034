import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeStudent,
  lendingDesk,
  type Person,
  raiseLoan,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { type Platform, startPlatform } from './platform.js';

/** The whole loan story through the edge, with real processes wired as npm start wires them. */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ name: 'story' });
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

describe('the loan story, through the edge', () => {
  let adminToken: string;
  let agent: Person;
  let productId: string;
  beforeAll(async () => {
    ({ adminToken, agent, productId } = await lendingDesk(platform));
  }, 60_000);

  const raise = async (studentId: string) => {
    const response = await raiseLoan(platform, agent.token, { productId, studentId });
    expect(response.status, response.text).toBe(201);
    return response.json as { id: string };
  };
  const approve = async (loanId: string) => {
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: adminToken, body: {} });
    expect(approved.status, approved.text).toBe(200);
  };

  it('goes from application to disbursement to REPAID', async () => {
    const student = await completeStudent(platform);
    const loan = await raise(student.id);
    expect((await platform.api('GET', `/loans/${loan.id}`)).status).toBe(401);
    await approve(loan.id);
    await waitForLoanStatus(platform, loan.id, student.token, 'DISBURSED');
    expect(await walletBalance(platform, student.token)).toBe(1_500_000);
    for (const amount of [600_000, 900_000]) {
      const paid = await platform.api('POST', `/loans/${loan.id}/repayments`, {
        token: student.token,
        key: randomUUID(),
        body: { amount },
      });
      expect(paid.status, paid.text).toBe(201);
    }
    const repaid = await platform.api('GET', `/loans/${loan.id}`, { token: student.token });
    expect(repaid.json).toMatchObject({ status: 'REPAID', outstanding: 0 });
    expect(await walletBalance(platform, student.token)).toBe(0);
  });

  it('fails the disbursement into a frozen wallet, and disburses once after unfreeze and retry', async () => {
    const student = await completeStudent(platform);
    const wallet = await platform.api('POST', '/accounts', {
      token: student.token,
      body: { currency: 'MWK' },
    });
    expect(wallet.status, wallet.text).toBe(201);
    const frozen = await platform.api('POST', `/accounts/${wallet.json.id}/freeze`, {
      token: adminToken,
      headers: { 'If-Match': wallet.headers.get('ETag') ?? '' },
    });
    expect(frozen.status, frozen.text).toBe(200);
    const loan = await raise(student.id);
    await approve(loan.id);
    const failed = await waitForLoanStatus(platform, loan.id, adminToken, 'DISBURSEMENT_FAILED');
    expect(failed.failureReason).toBe('wallet_frozen');
    const unfrozen = await platform.api('POST', `/accounts/${wallet.json.id}/unfreeze`, {
      token: adminToken,
      headers: { 'If-Match': frozen.headers.get('ETag') ?? '' },
    });
    expect(unfrozen.status, unfrozen.text).toBe(200);
    const retried = await platform.api('POST', `/loans/${loan.id}/retry-disbursement`, {
      token: adminToken,
      body: {},
    });
    expect(retried.status, retried.text).toBe(200);
    await waitForLoanStatus(platform, loan.id, adminToken, 'DISBURSED');
    expect(await walletBalance(platform, student.token)).toBe(1_500_000);
  });

  it('disburses exactly once an approval made while the ledger was down, once it is back', async () => {
    const student = await completeStudent(platform);
    const loan = await raise(student.id);
    await platform.stop('ledger');
    try {
      await approve(loan.id);
      expect((await platform.api('GET', `/loans/${loan.id}`, { token: adminToken })).json.status).toBe(
        'APPROVED',
      );
    } finally {
      await platform.start('ledger');
    }
    await waitForLoanStatus(platform, loan.id, adminToken, 'DISBURSED');
    const transfers = await platform.api('GET', `/transfers?userId=${student.id}&kind=disbursement`, {
      token: adminToken,
    });
    expect(transfers.json.items).toHaveLength(1);
    expect(await walletBalance(platform, student.token)).toBe(1_500_000);
  });
});
