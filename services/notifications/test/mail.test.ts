import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createLogger } from '@bonding/kit';
import { collectLogLines, freePort, waitFor } from '@bonding/testing';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, type SinkMessage, startMailSink } from '../src/dev/mail-sink.js';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';

/**
 * E-mail end to end: events queue mails, the relay sends them over SMTP with
 * nodemailer, and a real SMTP server (started here) receives them.
 */
const received: SinkMessage[] = [];
/** How the sink answers the next messages: accept, or refuse with an SMTP code. */
let refuse: (message: SinkMessage) => number | undefined = () => undefined;
let sink: MailSink;
let h: NotificationsHarness;
const logs = collectLogLines();

beforeAll(async () => {
  sink = await startMailSink({
    accept(message) {
      const code = refuse(message);
      if (code)
        throw Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), {
          responseCode: code,
        });
      received.push(message);
    },
  });
  h = await createNotificationsHarness({
    env: {
      SMTP_URL: sink.url,
      MAIL_MAX_ATTEMPTS: '5',
      MAIL_FROM: 'Bonding Platform <no-reply@bonding.test>',
    },
    logger: createLogger({ service: 'notifications', level: 'debug', destination: logs.destination }),
  });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

async function mailTo(address: string, timeoutMs = 5_000): Promise<ParsedMail> {
  const message = await waitFor(() => received.find((m) => m.to.includes(address)), {
    timeoutMs,
    what: `a mail to ${address}`,
  });
  return simpleParser(message.raw);
}

function registration(overrides: Record<string, unknown> = {}) {
  const userId = randomUUID();
  return {
    userId,
    email: `mail.${userId.slice(0, 8)}@example.test`,
    firstName: 'Amina',
    lastName: 'Phiri',
    role: 'student' as const,
    status: 'active' as const,
    regNumber: null,
    ...overrides,
  };
}

describe('e-mail', () => {
  it('sends the welcome e-mail over SMTP, in the user’s name, as plain text and HTML', async () => {
    const user = registration();
    await h.deliver('user.registered@1', user);
    const mail = await mailTo(user.email);
    expect(mail.subject).toBe('Welcome to the Bonding Platform');
    expect(mail.from?.value).toEqual([{ address: 'no-reply@bonding.test', name: 'Bonding Platform' }]);
    expect(mail.to).toMatchObject({ value: [{ address: user.email, name: 'Amina Phiri' }] });
    expect(mail.text).toContain('Dear Amina,');
    expect(mail.html).toContain('<p>Dear Amina,</p>');
    const row = await waitFor(async () => {
      const [queued] = await h.mailsOf(user.userId);
      return queued?.status === 'sent' ? queued : undefined;
    });
    // The same Message-ID on every attempt, so a receiver can drop a repeat.
    expect(mail.messageId).toBe(`<${row.id}@bonding.test>`);
  });

  it('escapes the name in the HTML part, so a name can never become markup', async () => {
    const user = registration({ firstName: '<script>alert("x")</script>', lastName: "O'Neil & Co" });
    await h.deliver('user.registered@1', user);
    const mail = await mailTo(user.email);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,');
    expect(mail.text).toContain('Dear <script>alert("x")</script>,');
  });

  it('sends the loan e-mails with the amounts in the currency’s units', async () => {
    const student = await h.user('student', { firstName: 'Thandiwe' });
    const loanId = randomUUID();
    await h.deliver('loan.approved@1', {
      loanId,
      studentId: student.id,
      approvedBy: randomUUID(),
      principal: money('50000000'),
    });
    const mail = await mailTo(student.email);
    expect(mail.subject).toBe('Your loan was approved');
    expect(mail.text).toContain('Dear Thandiwe,');
    expect(mail.text).toContain('Your loan of MWK 500,000.00 was approved.');
    expect(mail.text).toContain(loanId);
  });

  it('sends the repayment start and the reminder before a due date, with dates and amounts', async () => {
    const student = await h.user('student', { firstName: 'Thandiwe' });
    const loanId = randomUUID();
    await h.deliver('loan.instalmentDueSoon@1', {
      loanId,
      studentId: student.id,
      installment: 1,
      dueDate: '2030-07-30',
      amountDue: money('94952'),
    });
    const reminder = await mailTo(student.email);
    expect(reminder.subject).toBe('A loan instalment is due soon');
    expect(reminder.text).toContain(
      'Instalment 1 of your loan is due on 2030-07-30: MWK 949.52 is still to pay.',
    );
    expect(reminder.html).toContain(
      '<p>Instalment 1 of your loan is due on 2030-07-30: MWK 949.52 is still to pay.</p>',
    );
  });

  it('sends the release of a term with both amounts, and a lapse with whom to contact', async () => {
    const student = await h.user('student', { firstName: 'Chisomo' });
    const ids = { loanId: randomUUID(), studentId: student.id, trancheId: randomUUID() };
    await h.deliver('tranche.released@1', {
      ...ids,
      number: 1,
      tuitionTransferId: randomUUID(),
      upkeepTransferId: randomUUID(),
      tuition: money('300000'),
      upkeep: money('100050'),
    });
    const released = await mailTo(student.email);
    expect(released.subject).toBe('The money for a term of your loan was paid');
    const paid =
      'The money for term 1 of your loan was paid: MWK 3,000.00 of tuition to your institution and MWK 1,000.50 of upkeep to your wallet.';
    expect(released.text).toContain(paid);
    expect(released.html).toContain(`<p>${paid}</p>`);

    const other = await h.user('student');
    await h.deliver('tranche.lapsed@1', {
      ...ids,
      studentId: other.id,
      trancheId: randomUUID(),
      number: 2,
      businessDate: '2028-10-01',
    });
    const lapsed = await mailTo(other.email);
    expect(lapsed.subject).toBe('The money for a term of your loan lapsed');
    expect(lapsed.text).toContain(
      'The money for term 2 of your loan lapsed on 2028-10-01 because it was not taken up in time.',
    );
    expect(lapsed.text).toContain('If you still need money for this term, contact the board.');
    expect(lapsed.text).toContain(ids.loanId);
  });

  it('goes to the address the directory has when the mail is sent', async () => {
    const user = registration();
    // The old address is refused for now, so the mail is still waiting when the address changes.
    refuse = (message) => (message.to.includes(user.email) ? 451 : undefined);
    try {
      await h.deliver('user.registered@1', user);
      await waitFor(async () => (await h.mailsOf(user.userId))[0]?.last_error === 'EMESSAGE 451');
      await h.deliver('user.updated@1', { ...user, email: `changed.${user.email}` });
      const mail = await mailTo(`changed.${user.email}`);
      expect(mail.subject).toBe('Welcome to the Bonding Platform');
    } finally {
      refuse = () => undefined;
    }
    expect(received.some((m) => m.to.includes(user.email))).toBe(false);
  });

  it('sends an e-mail change code to the new address and the warning to the old one, not the directory’s', async () => {
    const user = registration();
    await h.deliver('user.registered@1', user);
    await mailTo(user.email);
    const newEmail = `moved.${user.email}`;
    const oldEmail = `earlier.${user.email}`;
    await h.deliver('user.emailChangeRequested@1', {
      userId: user.userId,
      oldEmail,
      newEmail,
      confirmationCode: `ec_${randomUUID()}`,
      expiresAt: '2026-11-23T11:00:00.000Z',
    });
    const code = await mailTo(newEmail);
    expect(code.subject).toBe('Confirm your new e-mail address');
    expect(code.text).toContain('Your confirmation code: ec_');
    const warning = await mailTo(oldEmail);
    expect(warning.subject).toBe('A new e-mail address was requested for your account');
    expect(warning.text).not.toContain('ec_');
  });

  it('retries a mail the server refuses for now (451), then delivers it', async () => {
    const student = await h.user('student');
    let refusals = 0;
    refuse = (message) => (message.to.includes(student.email) && refusals++ < 2 ? 451 : undefined);
    try {
      await h.deliver('agent.approved@1', { userId: student.id, approvedBy: randomUUID() });
      const mail = await mailTo(student.email);
      expect(mail.subject).toBe('Your loan officer account is approved');
    } finally {
      refuse = () => undefined;
    }
    expect(refusals).toBe(3);
    const row = await waitFor(async () => {
      const [mail] = await h.mailsOf(student.id);
      return mail?.status === 'sent' ? mail : undefined;
    });
    expect(row).toMatchObject({ attempts: 3, last_error: null });
  });

  it('dead-letters a mail after MAIL_MAX_ATTEMPTS temporary failures', async () => {
    const student = await h.user('student');
    refuse = (message) => (message.to.includes(student.email) ? 421 : undefined);
    try {
      await h.deliver('loan.disbursed@1', {
        loanId: randomUUID(),
        studentId: student.id,
        transferId: randomUUID(),
        amount: money('100'),
      });
      const dead = await waitFor(async () => {
        const [mail] = await h.mailsOf(student.id);
        return mail?.status === 'dead' ? mail : undefined;
      });
      expect(dead.attempts).toBe(5);
      expect(dead.last_error).toBe('gave up after 5 attempts: EMESSAGE 421');
    } finally {
      refuse = () => undefined;
    }
  });

  it('dead-letters a mail the server refuses for good (5xx) at once', async () => {
    const student = await h.user('student');
    refuse = (message) => (message.to.includes(student.email) ? 550 : undefined);
    try {
      await h.deliver('loan.overdue@1', {
        loanId: randomUUID(),
        studentId: student.id,
        installment: 1,
        dueDate: '2026-01-31',
        overdue: money('100'),
      });
      const dead = await waitFor(async () => {
        const [mail] = await h.mailsOf(student.id);
        return mail?.status === 'dead' ? mail : undefined;
      });
      expect(dead).toMatchObject({ attempts: 1, last_error: 'rejected: EMESSAGE 550' });
    } finally {
      refuse = () => undefined;
    }
  });

  it('waits for a recipient the directory does not know yet, then sends', async () => {
    const user = registration();
    await h.deliver('agent.approved@1', { userId: user.userId, approvedBy: randomUUID() });
    const waiting = await waitFor(async () => {
      const [mail] = await h.mailsOf(user.userId);
      return mail?.last_error === 'recipient_unknown' ? mail : undefined;
    });
    expect(waiting.status).toBe('pending');
    await h.deliver('user.updated@1', user);
    expect((await mailTo(user.email)).subject).toBe('Your loan officer account is approved');
  });

  it('logs mails by id only: no address, no name', () => {
    const mailLines = logs.lines.filter((line) => line.mailId || line.mailIds);
    expect(mailLines.length).toBeGreaterThan(0);
    const text = JSON.stringify(logs.lines);
    expect(text).not.toMatch(/@example\.test/);
    expect(text).not.toContain('Amina');
    expect(text).not.toContain('Thandiwe');
  });
});

describe('e-mail while the SMTP server is down', () => {
  it('keeps the mail and delivers it once the server is back', async () => {
    const port = await freePort();
    const down: SinkMessage[] = [];
    const replica = await createNotificationsHarness({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    let later: MailSink | undefined;
    try {
      const student = await replica.user('student');
      await replica.deliver('repayment.received@1', {
        loanId: randomUUID(),
        studentId: student.id,
        repaymentId: randomUUID(),
        transferId: randomUUID(),
        amount: money('1000000'),
        outstanding: money('0'),
      });
      const failed = await waitFor(async () => {
        const [mail] = await replica.mailsOf(student.id);
        return mail && mail.attempts >= 1 && mail.status === 'pending' ? mail : undefined;
      });
      // Refused connections: nodemailer names them ESOCKET (ECONNECTION for other connection failures).
      expect(['ESOCKET', 'ECONNECTION']).toContain(failed.last_error);
      later = await startMailSink({ port, accept: (message) => void down.push(message) });
      const message = await waitFor(() => down.find((m) => m.to.includes(student.email)));
      expect((await simpleParser(message.raw)).subject).toBe('We received your repayment');
      await waitFor(async () => (await replica.mailsOf(student.id))[0]?.status === 'sent');
    } finally {
      await replica.close();
      await later?.close();
    }
  });
});

describe('without SMTP_URL', () => {
  it('queues the mails and sends nothing', async () => {
    const replica = await createNotificationsHarness({ env: { SMTP_URL: '' } });
    try {
      expect(replica.deps.mail).toBeUndefined();
      const student = await replica.user('student');
      await replica.deliver('agent.approved@1', { userId: student.id, approvedBy: randomUUID() });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await replica.mailsOf(student.id)).toEqual([
        expect.objectContaining({ status: 'pending', attempts: 0, template: 'agent_approved' }),
      ]);
    } finally {
      await replica.close();
    }
  });
});

describe('the local mail sink', () => {
  it('survives a sender that vanishes in the middle of a mail (a service killed mid-send)', async () => {
    const local = await startMailSink({ accept: () => undefined });
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const socket = connect(local.port, '127.0.0.1');
      socket.on('error', () => undefined);
      const replies = ['EHLO test\r\n', 'MAIL FROM:<sender@bonding.test>\r\n'];
      // After each reply, the next command; after the last, the connection is reset mid-transaction.
      socket.on('data', () => {
        const next = replies.shift();
        if (next) socket.write(next);
        else socket.resetAndDestroy();
      });
      await waitFor(() => socket.destroyed, { timeoutMs: 5_000, what: 'the reset' });
      // The sink hears of the reset on its own socket a moment later; give it the chance to throw.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      await local.close();
    }
  });
});
