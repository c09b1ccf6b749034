import { randomUUID } from 'node:crypto';
import { createDatabase } from '@bonding/kit';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardianBody } from '../../services/students/test/harness.js';
import {
  approvedAgent,
  completeStudent,
  consentCodeOf,
  createProduct,
  type Person,
  productBody,
  raiseLoan,
  signInAdmin,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';

/**
 * A four-term loan with two guarantors through the edge and real processes (docs/lending-model.md,
 * "Tranches", "Guarantors"): consents by code before approval, each term
 * certified and released on its date by moving the business date, tuition to the institution and upkeep
 * to the wallet exact to the unit, one term lapsing, studies ending early and the last term cancelled.
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ name: 'tranche', services: PLATFORM_SERVICES });
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

const TERMS = [
  { termLabel: 'Year 1, semester 1', plannedDate: '2027-09-01', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 1, semester 2', plannedDate: '2028-01-15', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 2, semester 1', plannedDate: '2028-09-01', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 2, semester 2', plannedDate: '2029-01-15', tuition: 300_000, upkeep: 100_000 },
];

describe('a four-term loan, through the edge', () => {
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
  };
  const tranches = async (loanId: string) =>
    (await platform.api('GET', `/loans/${loanId}/tranches`, { token: student.token })).json.items as {
      status: string;
    }[];
  const waitForReleased = (loanId: string, n: number) =>
    waitFor(async () => (await tranches(loanId))[n - 1]?.status === 'RELEASED', {
      timeoutMs: 30_000,
      what: `tranche ${n} to be released`,
    });
  const institutionBalance = async (institutionId: string) => {
    const accounts = await platform.api('GET', `/accounts?type=institution&institutionId=${institutionId}`, {
      token: admin,
    });
    expect(accounts.status, accounts.text).toBe(200);
    return accounts.json.items[0]?.balance ?? 0;
  };

  it('releases each certified term on its date, lapses one and cancels the last', {
    timeout: 240_000,
  }, async () => {
    const product = await platform.api('POST', '/products', {
      token: admin,
      body: {
        ...productBody('TERMS'),
        category: 'student',
        annualRateBps: 400,
        minTermMonths: 12,
        maxTermMonths: 120,
        interestDuringStudy: 'capitalised',
        graceMonthsAfterStudy: 12,
        trancheExpiryDays: 30,
        guarantorsRequired: 2,
      },
    });
    expect(product.status, product.text).toBe(201);
    const institution = await platform.api('POST', '/institutions', {
      token: admin,
      body: {
        code: `UNI-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: 'University of Malawi',
        country: 'MW',
      },
    });
    expect(institution.status, institution.text).toBe(201);
    const institutionId: string = institution.json.id;
    await moveTo('2027-09-01');

    const raised = await platform.api('POST', '/loans', {
      token: agent.token,
      key: randomUUID(),
      body: {
        productId: product.json.id,
        studentId: student.id,
        institutionId,
        programme: 'BSc Computer Science',
        termMonths: 24,
        purpose: 'Tuition and upkeep',
        academicYear: '2027/2028',
        studyEndDate: '2029-06-30',
        tranches: TERMS,
      },
    });
    expect(raised.status, raised.text).toBe(201);
    const loanId: string = raised.json.id;
    expect(raised.json).toMatchObject({ principal: 1_600_000, disbursementMethod: 'tranches' });

    // Two guarantors from the student's guardians consent by code; only then may the admin approve.
    for (const [firstName, relation] of [
      ['Grace', 'mother'],
      ['James', 'father'],
    ] as const) {
      const filed = await platform.api('POST', '/students/me/guardians', {
        token: student.token,
        body: guardianBody({
          firstName,
          relation,
          email: `${firstName.toLowerCase()}.${randomUUID()}@example.test`,
        }),
      });
      expect(filed.status, filed.text).toBe(201);
      const named = await platform.api('POST', `/loans/${loanId}/guarantors`, {
        token: student.token,
        body: { guardianId: filed.json.id },
      });
      expect(named.status, named.text).toBe(201);
      const code = await consentCodeOf(platform, loanId, named.json.id);
      const refusedEarly = await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} });
      expect(refusedEarly.json).toMatchObject({ code: 'guarantor_consents_missing' });
      const consent = await platform.api('POST', `/guarantor-consents/${code}`, {
        body: { decision: 'accept' },
      });
      expect(consent.status, consent.text).toBe(200);
    }
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} });
    expect(approved.status, approved.text).toBe(200);
    expect(await walletBalance(platform, student.token)).toBeUndefined();

    // Term 1 is due today: certification releases it at once.
    const student403 = await platform.api('POST', `/loans/${loanId}/tranches/1/certify`, {
      token: student.token,
      body: {},
    });
    expect(student403.status).toBe(403);
    const certified = await platform.api('POST', `/loans/${loanId}/tranches/1/certify`, {
      token: agent.token,
      body: {},
    });
    expect(certified.status, certified.text).toBe(200);
    await waitForReleased(loanId, 1);
    expect(await institutionBalance(institutionId)).toBe(300_000);
    expect(await walletBalance(platform, student.token)).toBe(100_000);
    const loan = await platform.api('GET', `/loans/${loanId}`, { token: student.token });
    expect(loan.json).toMatchObject({
      status: 'DISBURSED',
      phase: 'IN_SCHOOL',
      principalOutstanding: 400_000,
    });
    // A student never sees the institution's account.
    const seen = await platform.api('GET', `/accounts?institutionId=${institutionId}`, {
      token: student.token,
    });
    expect(seen.json?.items ?? []).toEqual([]);

    // Term 2, certified ahead, is released by close of business on its date.
    await platform.api('POST', `/loans/${loanId}/tranches/2/certify`, { token: admin, body: {} });
    await moveTo('2028-01-15');
    await waitForReleased(loanId, 2);
    expect(await institutionBalance(institutionId)).toBe(600_000);
    expect(await walletBalance(platform, student.token)).toBe(200_000);

    // Term 3 is never certified and lapses after 30 days; studies end and term 4 is cancelled.
    await moveTo('2028-10-01');
    const ended = await platform.api('POST', `/loans/${loanId}/end-studies`, {
      token: admin,
      body: { date: '2028-10-01', reason: 'Left the programme' },
    });
    expect(ended.status, ended.text).toBe(200);
    expect((await tranches(loanId)).map((t) => t.status)).toEqual([
      'RELEASED',
      'RELEASED',
      'LAPSED',
      'CANCELLED',
    ]);
    expect(await institutionBalance(institutionId)).toBe(600_000);

    const books = await platform.api('GET', '/ledger/reconciliation', { token: admin });
    expect(books.json).toMatchObject({ balanced: true });
  });
  it('still pays a loan from before tranches through loan.approved@1, once', {
    timeout: 60_000,
  }, async () => {
    const productId = await createProduct(platform, admin);
    const raised = await raiseLoan(platform, agent.token, {
      productId,
      studentId: student.id,
      principal: 250_000,
    });
    expect(raised.status, raised.text).toBe(201);
    const loanId: string = raised.json.id;
    // As migration 0010 left loans raised before tranches existed: the whole principal, no plan.
    const loansDb = createDatabase<any>({ url: platform.databaseUrl('loans'), poolSize: 1 });
    try {
      await loansDb.db
        .updateTable('loans')
        .set({ disbursement_method: 'whole' })
        .where('id', '=', loanId)
        .execute();
      await loansDb.db.deleteFrom('tranches').where('loan_id', '=', loanId).execute();
    } finally {
      await loansDb.close();
    }
    const before = (await walletBalance(platform, student.token)) ?? 0;
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: admin, body: {} });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loanId, student.token, 'DISBURSED');
    expect(await walletBalance(platform, student.token)).toBe(before + 250_000);
  });
});
