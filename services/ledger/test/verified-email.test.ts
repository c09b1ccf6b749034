import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerHarness, type LedgerHarness, newKey } from './harness.js';

/** Money moves only for users who verified their e-mail (REQUIRE_VERIFIED_EMAIL, on by default). */
let h: LedgerHarness;
let relaxed: LedgerHarness;
beforeAll(async () => {
  [h, relaxed] = await Promise.all([
    createLedgerHarness(),
    createLedgerHarness({ REQUIRE_VERIFIED_EMAIL: 'false' }),
  ]);
});
afterAll(() => Promise.all([h?.close(), relaxed?.close()]));

/** A student whose wallet holds 100, and an unverified token for them. */
async function unverifiedHolder(harness: LedgerHarness) {
  const student = await harness.newStudent();
  const wallet = await harness.openWallet(student.token);
  await harness.deposit(wallet.id, 100);
  const unverified = await harness.issuer.token({ sub: student.id, role: 'student', emailVerified: false });
  return { ...student, wallet, unverified };
}

describe('the verified-e-mail requirement on money-moving routes', () => {
  it('refuses a transfer and a withdrawal by an unverified user with 403 email_not_verified, moving nothing', async () => {
    const alice = await unverifiedHolder(h);
    const bob = await h.newStudent();
    const bobWallet = await h.openWallet(bob.token);
    const transfer = await h.call('POST', '/api/v1/transfers', {
      token: alice.unverified,
      key: newKey(),
      body: { fromAccountId: alice.wallet.id, toAccountId: bobWallet.id, amount: 10, currency: 'MWK' },
    });
    expect(transfer.status).toBe(403);
    expect(transfer.json.code).toBe('email_not_verified');
    const withdrawal = await h.call('POST', '/api/v1/withdrawals', {
      token: alice.unverified,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 10, currency: 'MWK' },
    });
    expect(withdrawal.status).toBe(403);
    expect(withdrawal.json.code).toBe('email_not_verified');
    expect(await h.balanceOf(alice.wallet.id)).toBe(100);
    // The same user, verified, may.
    const verified = await h.call('POST', '/api/v1/withdrawals', {
      token: alice.token,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 10, currency: 'MWK' },
    });
    expect(verified.status).toBe(201);
  });

  it('still lets an unverified user read their accounts', async () => {
    const alice = await unverifiedHolder(h);
    const response = await h.call('GET', `/api/v1/accounts/${alice.wallet.id}/balance`, {
      token: alice.unverified,
    });
    expect(response.status).toBe(200);
  });

  it('lets unverified users move money when REQUIRE_VERIFIED_EMAIL=false', async () => {
    const alice = await unverifiedHolder(relaxed);
    const response = await relaxed.call('POST', '/api/v1/withdrawals', {
      token: alice.unverified,
      key: newKey(),
      body: { accountId: alice.wallet.id, amount: 10, currency: 'MWK' },
    });
    expect(response.status).toBe(201);
  });
});
