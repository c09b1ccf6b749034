import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, type SinkMessage, startMailSink } from '../src/dev/mail-sink.js';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';

// A guarantor's mail over real SMTP: to the address the event named, greeting the guarantor, not the
// student it is filed under.
const received: SinkMessage[] = [];
let sink: MailSink;
let h: NotificationsHarness;
beforeAll(async () => {
  sink = await startMailSink({ accept: (message) => void received.push(message) });
  h = await createNotificationsHarness({ env: { SMTP_URL: sink.url, MAIL_POLL_INTERVAL_MS: '50' } });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

async function mailTo(address: string): Promise<ParsedMail> {
  const message = await waitFor(() => received.find((m) => m.to.includes(address)), {
    timeoutMs: 10_000,
    what: `a mail to ${address}`,
  });
  return simpleParser(message.raw);
}

describe('the guarantor mail', () => {
  it('reaches the guarantor by name with the code and the consent path; the student gets none', async () => {
    const student = await h.user('student', { firstName: 'Amina', lastName: 'Phiri' });
    const code = `Gc_${randomUUID().replaceAll('-', '')}`;
    const address = `guardian.${randomUUID().slice(0, 8)}@example.test`;
    const delivered = await h.deliver('loan.guarantorRequested@1', {
      loanId: randomUUID(),
      studentId: student.id,
      guarantorId: randomUUID(),
      firstName: 'Grace',
      surname: 'Banda',
      email: address,
      consentCode: code,
      expiresAt: '2026-12-18T07:00:00.000Z',
      principal: money('1600000'),
      termMonths: 48,
    });
    expect(delivered.status).toBe(200);
    const mail = await mailTo(address);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([
      { address, name: 'Grace Banda' },
    ]);
    expect(mail.text).toContain('Dear Grace,');
    expect(mail.text).toContain(`Your consent code: ${code}`);
    expect(mail.text).toContain(`/api/v1/guarantor-consents/${code}`);
    expect(received.some((m) => m.to.includes(student.email))).toBe(false);
  });
});
