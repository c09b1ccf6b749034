import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { guarantorPlans } from '../src/domain/guarantor-notices.js';
import { type MailParams, renderMail } from '../src/domain/mail-templates.js';

describe('the guarantor notices', () => {
  const loanId = randomUUID();
  const studentId = randomUUID();
  const guarantorId = randomUUID();

  it('mails the guarantor, at the address the event names, the code and where to use it; nothing in-app', () => {
    const plan = guarantorPlans.requested({
      loanId,
      studentId,
      guarantorId,
      firstName: 'Chisomo',
      surname: 'Banda',
      email: 'chisomo@example.test',
      consentCode: 'Xy_9-abcdefghijklmnopqr',
      expiresAt: '2026-12-18T07:00:00.000Z',
      principal: { amountMinor: '1600000', currency: 'MWK' },
      termMonths: 48,
    });
    expect(plan.notices).toEqual([]);
    expect(plan.mails).toHaveLength(1);
    const params = plan.mails[0] as MailParams & { toAddress: string; toFirstName: string };
    expect(params).toMatchObject({
      userId: studentId,
      toAddress: 'chisomo@example.test',
      toFirstName: 'Chisomo',
      toLastName: 'Banda',
    });
    // The relay greets the guarantor by the name the event carries (mail-relay.ts).
    const mail = renderMail(params, { email: params.toAddress, firstName: 'Chisomo', lastName: 'Banda' });
    expect(mail.to).toEqual({ name: 'Chisomo Banda', address: 'chisomo@example.test' });
    expect(mail.text).toContain('Your consent code: Xy_9-abcdefghijklmnopqr');
    expect(mail.text).toContain('/api/v1/guarantor-consents/Xy_9-abcdefghijklmnopqr');
    expect(mail.text).toContain('MWK 16,000.00 over 48 months');
  });

  it('tells the student in-app of each answer, with how many consents are in', () => {
    const data = { loanId, studentId, guarantorId, consented: 1, required: 2 };
    const consented = guarantorPlans.consented(data);
    expect(consented.mails).toEqual([]);
    expect(consented.notices).toEqual([
      expect.objectContaining({ userId: studentId, kind: 'guarantor_consented' }),
    ]);
    expect(consented.notices[0]?.body).toContain('1 of 2 consents are in');
    const declined = guarantorPlans.declined({ ...data, consented: 0 });
    expect(declined.notices).toEqual([
      expect.objectContaining({ userId: studentId, kind: 'guarantor_declined' }),
    ]);
    expect(declined.notices[0]?.body).toContain('0 of 2 consents are in');
  });
});
