import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@bonding/kit';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveBusinessDate } from '../src/lending/lending-service.js';
import { createLoansHarness, fieldsOf, type LoansHarness, newKey } from './harness.js';

// A loan released term by term (docs/lending-model.md, "Tranches"), with the real ledger moving the money.
// This file's business date starts on 1 September 2027 and only moves forward.
let h: LoansHarness;
const institution = { id: uuidv7(), name: 'University of Malawi', archived: false };
const archived = { id: uuidv7(), name: 'Closed College', archived: true };
beforeAll(async () => {
  h = await createLoansHarness();
  h.stub.institutions.set(institution.id, institution);
  h.stub.institutions.set(archived.id, archived);
  await moveBusinessDate(h.deps, '2027-09-01');
}, 120_000);
afterAll(() => h.close());

const studyProduct = (overrides: Parameters<LoansHarness['product']>[0] = {}) =>
  h.product({
    category: 'student',
    annualRateBps: 400,
    interestDuringStudy: 'capitalised',
    graceMonthsAfterStudy: 12,
    trancheExpiryDays: 30,
    minTermMonths: 12,
    maxTermMonths: 120,
    ...overrides,
  });

const fourTerms = [
  { termLabel: 'Year 1, semester 1', plannedDate: '2027-09-01', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 1, semester 2', plannedDate: '2028-01-15', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 2, semester 1', plannedDate: '2028-09-01', tuition: 300_000, upkeep: 100_000 },
  { termLabel: 'Year 2, semester 2', plannedDate: '2029-01-15', tuition: 300_000, upkeep: 100_000 },
];

async function newStudent() {
  const id = randomUUID();
  h.stub.completeFiles.set(id, true);
  return { id, token: await h.issuer.token({ sub: id, role: 'student' }) };
}

const apply = (studentId: string, body: Record<string, unknown>) =>
  h.call('POST', '/api/v1/loans', {
    token: h.tokens.agent,
    key: newKey(),
    body: {
      termMonths: 24,
      purpose: 'Tuition and upkeep',
      academicYear: '2027/2028',
      studyEndDate: '2029-06-30',
      institutionId: institution.id,
      programme: 'BSc Computer Science',
      tranches: fourTerms,
      studentId,
      ...body,
    },
  });

const tranchesOf = async (loanId: string) =>
  (await h.call('GET', `/api/v1/loans/${loanId}/tranches`, { token: h.tokens.admin })).json.items;
const loanOf = async (id: string) =>
  (await h.call('GET', `/api/v1/loans/${id}`, { token: h.tokens.admin })).json;
const certify = (loanId: string, n: number, token = h.tokens.agent) =>
  h.call('POST', `/api/v1/loans/${loanId}/tranches/${n}/certify`, { token, body: {} });
const waitForTranche = (loanId: string, n: number, status: string) =>
  waitFor(
    async () => {
      const tranche = (await tranchesOf(loanId))[n - 1];
      return tranche?.status === status ? tranche : undefined;
    },
    { timeoutMs: 15_000, what: `tranche ${n} of ${loanId} to be ${status}` },
  );
const balanceOf = async (ownerKey: string, type: string) => {
  const account = await h.ledgerDeps.db
    .selectFrom('accounts')
    .select('balance')
    .where('owner_key', '=', ownerKey)
    .where('type', '=', type as never)
    .executeTakeFirst();
  return account ? Number(account.balance) : 0;
};

describe('applying with a tranche plan', () => {
  it('refuses a plan it cannot keep, naming the field, and writes nothing', async () => {
    const student = await newStudent();
    const product = studyProduct();
    const refused = async (body: Record<string, unknown>, code: string, field?: string) => {
      const answer = await apply(student.id, { productId: product.id, ...body });
      expect(answer.status, answer.text).toBe(422);
      expect(answer.json.code).toBe(code);
      if (field) expect(fieldsOf(answer.json)).toContain(field);
    };
    await refused({ institutionId: undefined }, 'invalid_tranche_plan', 'body.institutionId');
    await refused({ institutionId: randomUUID() }, 'institution_not_found', 'body.institutionId');
    await refused({ institutionId: archived.id }, 'institution_archived', 'body.institutionId');
    await refused(
      { tranches: [{ ...fourTerms[0], plannedDate: '2027-08-31' }] },
      'invalid_tranche_plan',
      'body.tranches.0.plannedDate',
    );
    await refused({ principal: 1_000_000 }, 'principal_not_plan_total', 'body.principal');
    await refused({ programme: undefined }, 'programme_required', 'body.programme');
    await refused(
      { productId: h.product({ category: 'student' }).id, studyEndDate: undefined },
      'tranches_need_study_terms',
      'body.tranches',
    );
    const loans = await h.call('GET', `/api/v1/loans?studentId=${student.id}`, { token: h.tokens.admin });
    expect(loans.json.items).toEqual([]);
  });
});

describe('amending the plan while the loan is NEW', () => {
  it('replaces the plan and its principal; a plain loan’s one tranche follows its principal', async () => {
    const student = await newStudent();
    const created = await apply(student.id, { productId: studyProduct().id });
    const patch = (id: string, etag: string, body: Record<string, unknown>) =>
      h.call('PATCH', `/api/v1/loans/${id}`, { token: h.tokens.agent, headers: { 'if-match': etag }, body });
    const refused = await patch(created.json.id, created.headers.get('etag') as string, {
      principal: 900_000,
    });
    expect(refused.json).toMatchObject({ code: 'principal_not_plan_total' });
    const twoTerms = fourTerms.slice(0, 2);
    const replaced = await patch(created.json.id, created.headers.get('etag') as string, {
      tranches: twoTerms,
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.json).toMatchObject({ principal: 800_000 });
    expect(await tranchesOf(created.json.id)).toHaveLength(2);

    const plain = await h.raiseLoan({ studentId: student.id, productId: h.product().id, principal: 500_000 });
    const changed = await patch(plain.id, `"v${plain.version}"`, { principal: 700_000 });
    expect(changed.status, changed.text).toBe(200);
    expect(await tranchesOf(plain.id)).toMatchObject([{ number: 1, tuition: 0, upkeep: 700_000 }]);
  });
});

describe('a loan from before tranches', () => {
  it('is still approved through loan.approved@1 and disbursed once by the ledger', async () => {
    const student = await newStudent();
    const loan = await h.raiseLoan({ studentId: student.id, productId: h.product().id, principal: 250_000 });
    // As the migration left loans raised before tranches existed: the whole principal, no plan.
    await h.deps.db
      .updateTable('loans')
      .set({ disbursement_method: 'whole' })
      .where('id', '=', loan.id)
      .execute();
    await h.deps.db.deleteFrom('tranches').where('loan_id', '=', loan.id).execute();
    expect(
      (await h.call('POST', `/api/v1/loans/${loan.id}/approve`, { token: h.tokens.admin, body: {} })).status,
    ).toBe(200);
    await waitFor(async () => (await loanOf(loan.id)).status === 'DISBURSED', {
      timeoutMs: 15_000,
      what: 'the legacy loan to be disbursed',
    });
    const approvals = (await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.approved');
    expect(approvals.map((e) => e.data.tranches)).toEqual([undefined]);
    const transfers = await h.ledgerDeps.db
      .selectFrom('transfers')
      .select(['amount', 'idempotency_key'])
      .where('loan_id', '=', loan.id)
      .execute();
    expect(transfers).toEqual([{ amount: '250000', idempotency_key: loan.id }]);
    expect(await balanceOf(student.id, 'wallet')).toBe(250_000);
  });
});

describe('who may see, certify and retry tranches', () => {
  it('keeps tranches to staff and the student, certification to staff and retries to admins', async () => {
    const student = await newStudent();
    const other = await newStudent();
    const created = await apply(student.id, { productId: studyProduct().id });
    const loanId: string = created.json.id;
    const url = `/api/v1/loans/${loanId}/tranches`;
    expect((await h.call('GET', url)).status).toBe(401);
    expect((await h.call('GET', url, { token: other.token })).status).toBe(404);
    expect((await h.call('GET', url, { token: student.token })).status).toBe(200);
    const retry = (token: string) => h.call('POST', `${url}/1/retry-release`, { token, body: {} });
    expect((await retry(h.tokens.agent)).status).toBe(403);
    expect((await retry(h.tokens.admin)).json).toMatchObject({ code: 'invalid_tranche_transition' });
    await h.call('POST', `/api/v1/loans/${loanId}/approve`, { token: h.tokens.admin, body: {} });
    const missing = await h.call('POST', `${url}/9/certify`, { token: h.tokens.admin, body: {} });
    expect(missing.status, missing.text).toBe(404);
  });
});

describe('a four-term loan', () => {
  it('is released term by term once certified; a term lapses; ending studies cancels the rest', {
    timeout: 120_000,
  }, async () => {
    const student = await newStudent();
    const product = studyProduct();
    const created = await apply(student.id, { productId: product.id });
    expect(created.status, created.text).toBe(201);
    const loanId: string = created.json.id;
    expect(created.json).toMatchObject({
      principal: 1_600_000,
      disbursementMethod: 'tranches',
      institutionId: institution.id,
      programme: 'BSc Computer Science',
      trancheExpiryDays: 30,
    });
    expect((await tranchesOf(loanId)).map((t: { status: string }) => t.status)).toEqual([
      'PLANNED',
      'PLANNED',
      'PLANNED',
      'PLANNED',
    ]);
    expect((await certify(loanId, 1)).json).toMatchObject({ code: 'loan_not_releasing' });

    // Approval moves no money.
    const funding = await balanceOf('platform', 'funding');
    expect(
      (await h.call('POST', `/api/v1/loans/${loanId}/approve`, { token: h.tokens.admin, body: {} })).status,
    ).toBe(200);
    expect(await loanOf(loanId)).toMatchObject({ status: 'APPROVED' });

    // Term 1: planned for today, so certification releases it at once.
    expect((await certify(loanId, 1, student.token)).status).toBe(403);
    const first = await certify(loanId, 1);
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ certifiedBy: h.ids.agent, certifiedOn: '2027-09-01' });
    await waitForTranche(loanId, 1, 'RELEASED');
    expect(await loanOf(loanId)).toMatchObject({
      status: 'DISBURSED',
      phase: 'IN_SCHOOL',
      principalOutstanding: 400_000,
    });
    expect(await balanceOf(institution.id, 'institution')).toBe(300_000);
    expect(await balanceOf(student.id, 'wallet')).toBe(100_000);
    expect(await balanceOf('platform', 'funding')).toBe(funding - 400_000);
    expect((await certify(loanId, 1)).json).toMatchObject({ code: 'invalid_tranche_transition' });

    // Term 2: certified ahead, released by close of business on its date.
    expect((await certify(loanId, 2)).json).toMatchObject({ status: 'CERTIFIED' });
    await moveBusinessDate(h.deps, '2028-01-15');
    await waitForTranche(loanId, 2, 'RELEASED');
    expect(await balanceOf(institution.id, 'institution')).toBe(600_000);
    expect(await balanceOf(student.id, 'wallet')).toBe(200_000);
    expect(await loanOf(loanId)).toMatchObject({ principalOutstanding: 800_000 });

    // Term 3 is never certified: 30 days after its date it lapses.
    await moveBusinessDate(h.deps, '2028-10-01');
    expect((await tranchesOf(loanId))[2]).toMatchObject({ status: 'LAPSED' });
    expect((await h.outboxOf(loanId)).filter((e) => e.type === 'tranche.lapsed')).toHaveLength(1);

    // Studies end early: the last term is cancelled, nothing more is paid.
    const ended = await h.call('POST', `/api/v1/loans/${loanId}/end-studies`, {
      token: h.tokens.admin,
      body: { date: '2028-10-01', reason: 'Left the programme' },
    });
    expect(ended.status, ended.text).toBe(200);
    expect((await tranchesOf(loanId)).map((t: { status: string }) => t.status)).toEqual([
      'RELEASED',
      'RELEASED',
      'LAPSED',
      'CANCELLED',
    ]);
    expect(await balanceOf(institution.id, 'institution')).toBe(600_000);
  });
});
