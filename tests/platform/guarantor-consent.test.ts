import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardianBody } from '../../services/students/test/harness.js';
import {
  approvedAgent,
  completeStudent,
  consentCodeOf,
  productBody,
  raiseLoan,
  signInAdmin,
  waitForLoanStatus,
} from './journeys.js';
import { PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';

/**
 * Guarantors through the edge and real processes (docs/lending-model.md, "Guarantors"): the student names
 * two guardians from the bonding file held by the real students service, each consents by code on the
 * public route without a token, and the admin can approve only once both are in.
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ name: 'guarantor', services: PLATFORM_SERVICES });
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

describe('guarantors, through the edge', () => {
  it('are named from the bonding file, consent by code without a token, and hold approval back until both have', {
    timeout: 120_000,
  }, async () => {
    const admin = await signInAdmin(platform);
    const agent = await approvedAgent(platform, admin);
    const student = await completeStudent(platform);
    const guardians: string[] = [];
    for (const [firstName, email] of [
      ['Grace', 'grace.banda@example.test'],
      ['James', 'james.banda@example.test'],
    ]) {
      const filed = await platform.api('POST', '/students/me/guardians', {
        token: student.token,
        body: guardianBody({ firstName, email, relation: firstName === 'Grace' ? 'mother' : 'father' }),
      });
      expect(filed.status, filed.text).toBe(201);
      guardians.push(filed.json.id);
    }
    const product = await platform.api('POST', '/products', {
      token: admin,
      body: { ...productBody('GUAR'), guarantorsRequired: 2 },
    });
    expect(product.status, product.text).toBe(201);
    const raised = await raiseLoan(platform, agent.token, {
      productId: product.json.id,
      studentId: student.id,
    });
    expect(raised.status, raised.text).toBe(201);
    const loanId: string = raised.json.id;

    const codes: string[] = [];
    for (const guardianId of guardians) {
      const named = await platform.api('POST', `/loans/${loanId}/guarantors`, {
        token: student.token,
        body: { guardianId },
      });
      expect(named.status, named.text).toBe(201);
      expect(named.json.emailMasked).toMatch(/^[gj]•••@example\.test$/);
      codes.push(await consentCodeOf(platform, loanId, named.json.id));
    }
    const [first, second] = codes as [string, string];

    // No token: the code is the credential, and the edge routes the group without jwt.
    const shown = await platform.api('GET', `/guarantor-consents/${first}`);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.json).toMatchObject({ guarantor: { firstName: 'Grace' }, loan: { principal: 1_500_000 } });
    expect(
      (await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} })).json,
    ).toMatchObject({
      code: 'guarantor_consents_missing',
      consented: 0,
    });
    for (const code of codes) {
      const decided = await platform.api('POST', `/guarantor-consents/${code}`, {
        body: { decision: 'accept' },
      });
      expect(decided.status, decided.text).toBe(200);
    }
    const reused = await platform.api('POST', `/guarantor-consents/${second}`, {
      body: { decision: 'decline' },
    });
    expect(reused.status).toBe(410);
    expect((await platform.api('GET', `/guarantor-consents/${randomUUID()}`)).status).toBe(404);

    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loanId, student.token, 'DISBURSED');
    // The student heard of both consents in-app, through notifications.
    await waitFor(
      async () => {
        const notices = await platform.api('GET', '/notifications', { token: student.token });
        const kinds = (notices.json?.items ?? []).map((n: { kind: string }) => n.kind);
        return kinds.filter((kind: string) => kind === 'guarantor_consented').length === 2;
      },
      { timeoutMs: 30_000, what: 'two guarantor_consented notices' },
    );
  });
});
