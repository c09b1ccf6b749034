import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';

// Loans' guarantor events delivered signed as its relay would: the guarantor is mailed the code, and later
// hears of the first release and the repayment only while their consent stands.
let h: NotificationsHarness;
beforeAll(async () => {
  // No mailer: the mails stay queued, so each test reads exactly what its events asked for.
  h = await createNotificationsHarness();
});
afterAll(() => h?.close());

async function loanWithGuarantors(count: number) {
  const student = await h.user('student');
  const loanId = randomUUID();
  const guarantors = [];
  for (let i = 0; i < count; i++) {
    const guarantorId = randomUUID();
    const email = `guardian.${guarantorId.slice(0, 8)}@example.test`;
    const requested = await h.deliver('loan.guarantorRequested@1', {
      loanId,
      studentId: student.id,
      guarantorId,
      firstName: `Guardian${i}`,
      surname: 'Banda',
      email,
      consentCode: `code-${guarantorId}`,
      expiresAt: '2026-12-18T07:00:00.000Z',
      principal: money('1600000'),
      termMonths: 48,
    });
    expect(requested.status).toBe(200);
    guarantors.push({ guarantorId, email, code: `code-${guarantorId}` });
  }
  return { student, loanId, guarantors };
}

const paramsOf = async (userId: string, template: string) =>
  (await h.mailsOf(userId)).filter((m) => m.template === template).map((m) => JSON.parse(m.params));

describe('guarantor events', () => {
  it('mails each guarantor their code at their own address; the student sees no code', async () => {
    const { student, guarantors } = await loanWithGuarantors(2);
    const mails = await paramsOf(student.id, 'guarantor_consent_requested');
    expect(mails.map((m) => [m.toAddress, m.consentCode])).toEqual(guarantors.map((g) => [g.email, g.code]));
    expect(await h.notificationsOf(student.id)).toEqual([]);
  });

  it('tells the guarantors who consented of the first release and the repayment, then forgets them', async () => {
    const { student, loanId, guarantors } = await loanWithGuarantors(3);
    const [kept, declined, voided] = guarantors as [
      (typeof guarantors)[0],
      (typeof guarantors)[0],
      (typeof guarantors)[0],
    ];
    const answer = (key: 'loan.guarantorConsented@1' | 'loan.guarantorDeclined@1', guarantorId: string) =>
      h.deliver(key, { loanId, studentId: student.id, guarantorId, consented: 1, required: 2 });
    expect((await answer('loan.guarantorConsented@1', kept.guarantorId)).status).toBe(200);
    expect((await answer('loan.guarantorDeclined@1', declined.guarantorId)).status).toBe(200);
    expect((await answer('loan.guarantorConsented@1', voided.guarantorId)).status).toBe(200);
    const kinds = (await h.notificationsOf(student.id)).map((n) => n.kind);
    expect(kinds).toEqual(['guarantor_consented', 'guarantor_declined', 'guarantor_consented']);
    await h.deliver('loan.guarantorsVoided@1', {
      loanId,
      studentId: student.id,
      guarantorIds: [voided.guarantorId],
    });

    await h.deliver('loan.disbursed@1', {
      loanId,
      studentId: student.id,
      transferId: randomUUID(),
      amount: money('400000'),
    });
    const released = await paramsOf(student.id, 'guarantor_loan_disbursed');
    expect(released.map((m) => m.toAddress)).toEqual([kept.email]);
    expect(released[0]).toMatchObject({ amount: money('400000'), toFirstName: 'Guardian0' });

    await h.deliver('loan.repaid@1', { loanId, studentId: student.id });
    expect((await paramsOf(student.id, 'guarantor_loan_repaid')).map((m) => m.toAddress)).toEqual([
      kept.email,
    ]);
    const left = await h.deps.db
      .selectFrom('guarantor_contacts')
      .selectAll()
      .where('loan_id', '=', loanId)
      .execute();
    expect(left).toEqual([]);
  });

  it('forgets the guarantors of a loan withdrawn or rejected', async () => {
    const contactsOf = (loanId: string) =>
      h.deps.db.selectFrom('guarantor_contacts').selectAll().where('loan_id', '=', loanId).execute();
    const cancelled = await loanWithGuarantors(1);
    expect(await contactsOf(cancelled.loanId)).toHaveLength(1);
    await h.deliver('loan.cancelled@1', {
      loanId: cancelled.loanId,
      studentId: cancelled.student.id,
      cancelledBy: cancelled.student.id,
    });
    expect(await contactsOf(cancelled.loanId)).toEqual([]);
    const rejected = await loanWithGuarantors(1);
    await h.deliver('loan.rejected@1', {
      loanId: rejected.loanId,
      studentId: rejected.student.id,
      rejectedBy: randomUUID(),
      reason: 'Income not verified',
    });
    expect(await contactsOf(rejected.loanId)).toEqual([]);
  });
});
