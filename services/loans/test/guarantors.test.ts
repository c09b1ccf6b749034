import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StubGuardian } from './dependencies-stub.js';
import { createLoansHarness, fieldsOf, type LoansHarness } from './harness.js';

// Guarantors with consent codes (docs/lending-model.md, "Guarantors"), the students service stubbed over
// HTTP with the student's guardians, the consent routes called without a token as a guarantor would.
let h: LoansHarness;
const guardian = (overrides: Partial<StubGuardian> = {}): StubGuardian => ({
  id: randomUUID(),
  firstName: 'Chisomo',
  surname: 'Banda',
  email: `guardian-${randomUUID()}@example.test`,
  homeVillage: 'Chilomoni',
  ...overrides,
});
const mother = guardian({ firstName: 'Grace', email: 'grace.banda@example.test' });
const father = guardian({ firstName: 'James' });
const uncle = guardian({ firstName: 'Peter' });
const noEmail = guardian({ firstName: 'Ruth', email: null });

beforeAll(async () => {
  h = await createLoansHarness();
  h.stub.guardians.set(h.ids.student, [mother, father, uncle, noEmail]);
}, 120_000);
afterAll(() => h.close());

/** A NEW loan of 10,000.00 whose product requires two guarantors. */
const loanNeedingTwo = () => h.raiseLoan({ productId: h.product({ guarantorsRequired: 2 }).id });

const name = (loanId: string, guardianId: string, token: string | undefined = h.tokens.student) =>
  h.call('POST', `/api/v1/loans/${loanId}/guarantors`, { token, body: { guardianId } });

/** The code the guarantor was mailed: only in loans' outbox event to notifications. */
async function codeFor(loanId: string, guarantorId: string): Promise<string> {
  const events = await h.outboxOf(loanId);
  const asked = events.find(
    (e) => e.type === 'loan.guarantorRequested' && e.data.guarantorId === guarantorId,
  );
  if (!asked) throw new Error(`no loan.guarantorRequested for ${guarantorId}`);
  return asked.data.consentCode as string;
}

async function named(loanId: string, who: StubGuardian, token?: string) {
  const response = await name(loanId, who.id, token);
  expect(response.status).toBe(201);
  const id = (response.json as { id: string }).id;
  return { id, code: await codeFor(loanId, id) };
}

const consent = (code: string) => h.call('GET', `/api/v1/guarantor-consents/${code}`);
const decide = (code: string, decision: string) =>
  h.call('POST', `/api/v1/guarantor-consents/${code}`, { body: { decision } });
const approve = (loanId: string) =>
  h.call('POST', `/api/v1/loans/${loanId}/approve`, { token: h.tokens.admin, body: {} });

describe('naming guarantors', () => {
  it("takes the student's guardians with an e-mail, each once, up to the product's number", async () => {
    const loan = await loanNeedingTwo();
    const stranger = await name(loan.id, randomUUID());
    expect(stranger.status).toBe(422);
    expect(stranger.json).toMatchObject({ code: 'guardian_not_found' });
    expect(fieldsOf(stranger.json)).toEqual(['body.guardianId']);
    const unreachable = await name(loan.id, noEmail.id);
    expect(unreachable.status).toBe(422);
    expect(unreachable.json).toMatchObject({ code: 'guardian_email_missing' });
    expect(fieldsOf(unreachable.json)).toEqual(['body.guardianId']);
    const malformed = await name(loan.id, 'not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(fieldsOf(malformed.json)).toEqual(['body.guardianId']);

    const first = await name(loan.id, mother.id);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      guardianId: mother.id,
      firstName: 'Grace',
      surname: 'Banda',
      homeVillage: 'Chilomoni',
      emailMasked: 'g•••@example.test',
      status: 'REQUESTED',
    });
    const twice = await name(loan.id, mother.id, h.tokens.agent);
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({ code: 'guarantor_already_named' });
    expect((await name(loan.id, father.id, h.tokens.agent)).status).toBe(201);
    const third = await name(loan.id, uncle.id);
    expect(third.status).toBe(409);
    expect(third.json).toMatchObject({ code: 'guarantor_limit_reached', required: 2 });
  });

  it('mails the code through the event and keeps only its SHA-256, with an expiry 14 days on', async () => {
    const loan = await loanNeedingTwo();
    const { id, code } = await named(loan.id, mother);
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const event = (await h.outboxOf(loan.id)).find((e) => e.type === 'loan.guarantorRequested');
    expect(event?.data).toMatchObject({
      email: 'grace.banda@example.test',
      firstName: 'Grace',
      guarantorId: id,
    });
    const row = await h.deps.db
      .selectFrom('loan_guarantors')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.code_hash).toBe(createHash('sha256').update(code).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(code);
    expect(JSON.stringify(row)).not.toContain('grace.banda');
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(14 * 86_400_000);
  });

  it("lists them to staff and the loan's student, e-mail masked and without codes", async () => {
    const loan = await loanNeedingTwo();
    const { code } = await named(loan.id, mother);
    for (const token of [h.tokens.student, h.tokens.agent, h.tokens.admin]) {
      const list = await h.call('GET', `/api/v1/loans/${loan.id}/guarantors`, { token });
      expect(list.status).toBe(200);
      expect((list.json as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ guardianId: mother.id, emailMasked: 'g•••@example.test' }),
      ]);
      expect(list.text).not.toContain(code);
      expect(list.text).not.toContain('grace.banda');
    }
  });
});

describe('who may name and list guarantors', () => {
  it('refuses callers without a token, other students, and loans past NEW', async () => {
    const loan = await loanNeedingTwo();
    const path = `/api/v1/loans/${loan.id}/guarantors`;
    expect((await h.call('GET', path)).status).toBe(401);
    expect((await name(loan.id, mother.id, h.tokens.student)).status).toBe(201);
    expect((await h.call('POST', path, { body: { guardianId: father.id } })).status).toBe(401);
    const outsider = await h.call('GET', path, { token: h.tokens.otherStudent });
    expect(outsider.status).toBe(404);
    expect((await name(loan.id, father.id, h.tokens.otherStudent)).status).toBe(404);
    expect((await name(loan.id, father.id, h.tokens.admin)).status).toBe(201);

    const cancelled = await h.raiseLoan({ productId: h.product({ guarantorsRequired: 1 }).id });
    await h.call('POST', `/api/v1/loans/${cancelled.id}/cancel`, { token: h.tokens.agent, body: {} });
    const late = await name(cancelled.id, mother.id);
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ code: 'invalid_transition' });
  });
});

describe('consent by code (no token)', () => {
  it('shows the terms on GET without deciding, decides once on POST, and blocks approval until both are in', async () => {
    const loan = await loanNeedingTwo();
    const first = await named(loan.id, mother);
    const second = await named(loan.id, father);

    const shown = await consent(first.code);
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      guarantor: { firstName: 'Grace', surname: 'Banda' },
      studentName: 'Amina Phiri',
      loan: {
        principal: 1_000_000,
        currency: 'MWK',
        termMonths: 12,
        annualRateBps: 1_200,
        tranches: [expect.objectContaining({ number: 1, amount: 1_000_000 })],
      },
    });
    expect(shown.text).not.toContain('@');
    expect((await consent(first.code)).status).toBe(200);

    const blocked = await approve(loan.id);
    expect(blocked.status).toBe(409);
    expect(blocked.json).toMatchObject({ code: 'guarantor_consents_missing', required: 2, consented: 0 });

    const accepted = await decide(first.code, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.json).toEqual({ status: 'CONSENTED' });
    const again = await decide(first.code, 'decline');
    expect(again.status).toBe(410);
    expect(again.json).toMatchObject({ code: 'consent_used' });
    expect((await consent(first.code)).status).toBe(410);

    const stillBlocked = await approve(loan.id);
    expect(stillBlocked.json).toMatchObject({
      code: 'guarantor_consents_missing',
      required: 2,
      consented: 1,
    });
    expect((await decide(second.code, 'accept')).status).toBe(200);
    const events = (await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.guarantorConsented');
    expect(events.map((e) => e.data.consented)).toEqual([1, 2]);
    expect((await approve(loan.id)).status).toBe(200);
  });

  it('a decline frees the place for another guardian and tells the student', async () => {
    const loan = await h.raiseLoan({ productId: h.product({ guarantorsRequired: 1 }).id });
    const first = await named(loan.id, mother);
    expect((await decide(first.code, 'decline')).json).toEqual({ status: 'DECLINED' });
    const declined = (await h.outboxOf(loan.id)).find((e) => e.type === 'loan.guarantorDeclined');
    expect(declined?.data).toMatchObject({ guarantorId: first.id, consented: 0, required: 1 });
    expect((await approve(loan.id)).status).toBe(409);
    const second = await named(loan.id, uncle);
    expect((await decide(second.code, 'accept')).status).toBe(200);
    expect((await approve(loan.id)).status).toBe(200);
  });

  it('answers 404 to an unknown code, 410 to an expired one, and 400 to a decision it does not know', async () => {
    expect((await consent('no-such-code-at-all-here')).json).toMatchObject({ code: 'consent_not_found' });
    expect((await decide('no-such-code-at-all-here', 'accept')).status).toBe(404);
    const loan = await loanNeedingTwo();
    const { id, code } = await named(loan.id, mother);
    const bad = await decide(code, 'maybe');
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.json)).toEqual(['body.decision']);
    await h.deps.db
      .updateTable('loan_guarantors')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', id)
      .execute();
    const expired = await consent(code);
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({ code: 'consent_expired' });
    expect((await decide(code, 'accept')).json).toMatchObject({ code: 'consent_expired' });
    // An expired request holds no place: the same guardian can be asked again, with a new code.
    const again = await named(loan.id, mother);
    expect(again.code).not.toBe(code);
    expect((await consent(again.code)).status).toBe(200);
    expect(await h.outboxOf(loan.id)).not.toContainEqual(
      expect.objectContaining({ type: 'loan.guarantorConsented' }),
    );
  });
});

describe('editing the terms while NEW', () => {
  it('voids consents given and codes sent; the guardians must be asked again', async () => {
    const loan = await h.raiseLoan({ productId: h.product({ guarantorsRequired: 1 }).id });
    const first = await named(loan.id, mother);
    expect((await decide(first.code, 'accept')).status).toBe(200);
    const edited = await h.call('PATCH', `/api/v1/loans/${loan.id}`, {
      token: h.tokens.agent,
      headers: { 'If-Match': '"v1"' },
      body: { principal: 2_000_000 },
    });
    expect(edited.status).toBe(200);
    const list = await h.call('GET', `/api/v1/loans/${loan.id}/guarantors`, { token: h.tokens.agent });
    expect((list.json as { items: { status: string }[] }).items.map((g) => g.status)).toEqual(['VOID']);
    expect((await consent(first.code)).json).toMatchObject({ code: 'consent_void' });
    const voided = (await h.outboxOf(loan.id)).filter((e) => e.type === 'loan.guarantorsVoided');
    expect(voided.map((e) => e.data.guarantorIds)).toEqual([[first.id]]);
    expect((await approve(loan.id)).json).toMatchObject({ code: 'guarantor_consents_missing', consented: 0 });

    const asked = await named(loan.id, mother);
    expect((await consent(asked.code)).json).toMatchObject({ loan: { principal: 2_000_000 } });
    expect((await decide(asked.code, 'accept')).status).toBe(200);
    expect((await approve(loan.id)).status).toBe(200);
  });

  it('leaves consents alone when the principal stays what it was', async () => {
    const loan = await h.raiseLoan({ productId: h.product({ guarantorsRequired: 1 }).id });
    const first = await named(loan.id, mother);
    expect((await decide(first.code, 'accept')).status).toBe(200);
    const edited = await h.call('PATCH', `/api/v1/loans/${loan.id}`, {
      token: h.tokens.agent,
      headers: { 'If-Match': '"v1"' },
      body: { purpose: 'Upkeep', principal: 1_000_000 },
    });
    expect(edited.status).toBe(200);
    expect((await approve(loan.id)).status).toBe(200);
  });
});
