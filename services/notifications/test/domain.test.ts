import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanName, escapeHtml } from '../src/domain/html.js';
import { MAIL_TEMPLATES, type MailParams, renderMail } from '../src/domain/mail-templates.js';
import { formatMoney } from '../src/domain/money.js';
import { plans } from '../src/domain/notices.js';
import { tranchePlans } from '../src/domain/tranche-notices.js';
import { sseComment, sseEvent } from '../src/stream/sse.js';

describe('formatMoney', () => {
  it('shows minor units in the currency’s own decimals, grouped, without floats', () => {
    expect(formatMoney({ amountMinor: '15000000', currency: 'MWK' })).toBe('MWK 150,000.00');
    expect(formatMoney({ amountMinor: '5', currency: 'MWK' })).toBe('MWK 0.05');
    expect(formatMoney({ amountMinor: '0', currency: 'USD' })).toBe('USD 0.00');
    expect(formatMoney({ amountMinor: '1500', currency: 'JPY' })).toBe('JPY 1,500');
    expect(formatMoney({ amountMinor: '1234567', currency: 'BHD' })).toBe('BHD 1,234.567');
    // Beyond 2^53: exact to the last unit.
    expect(formatMoney({ amountMinor: '9007199254740993', currency: 'MWK' })).toBe(
      'MWK 90,071,992,547,409.93',
    );
  });
});

describe('escapeHtml and cleanName', () => {
  it('escapes every character that could start markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('turns control characters (a header injection) into spaces', () => {
    expect(cleanName('Amina\r\nBcc: evil@example.test')).toBe('Amina Bcc: evil@example.test');
    expect(cleanName('  Chisomo\t Banda ')).toBe('Chisomo Banda');
  });
});

const samples: Record<MailParams['template'], MailParams> = {
  welcome: { template: 'welcome', role: 'student', status: 'active' },
  agent_approved: { template: 'agent_approved' },
  loan_approved: {
    template: 'loan_approved',
    loanId: randomUUID(),
    principal: { amountMinor: '100', currency: 'MWK' },
  },
  loan_rejected: { template: 'loan_rejected', loanId: randomUUID(), reason: 'Income <unverified>' },
  loan_disbursed: {
    template: 'loan_disbursed',
    loanId: randomUUID(),
    amount: { amountMinor: '100', currency: 'MWK' },
  },
  loan_overdue: {
    template: 'loan_overdue',
    loanId: randomUUID(),
    installment: 2,
    dueDate: '2026-03-31',
    overdue: { amountMinor: '100', currency: 'MWK' },
  },
  repayment_started: {
    template: 'repayment_started',
    loanId: randomUUID(),
    businessDate: '2030-06-30',
    firstDueDate: '2030-07-30',
    instalment: { amountMinor: '94952', currency: 'MWK' },
    instalments: 12,
    principal: { amountMinor: '1113205', currency: 'MWK' },
  },
  instalment_due_soon: {
    template: 'instalment_due_soon',
    loanId: randomUUID(),
    installment: 1,
    dueDate: '2030-07-30',
    amountDue: { amountMinor: '94952', currency: 'MWK' },
  },
  tranche_certified: {
    template: 'tranche_certified',
    loanId: randomUUID(),
    number: 1,
    termLabel: '2027 Semester 1',
    businessDate: '2027-08-20',
  },
  tranche_released: {
    template: 'tranche_released',
    loanId: randomUUID(),
    number: 1,
    tuition: { amountMinor: '300000', currency: 'MWK' },
    upkeep: { amountMinor: '100000', currency: 'MWK' },
  },
  tranche_release_failed: { template: 'tranche_release_failed', loanId: randomUUID(), number: 2 },
  tranche_lapsed: { template: 'tranche_lapsed', loanId: randomUUID(), number: 3, businessDate: '2028-10-01' },
  guarantor_consent_requested: {
    template: 'guarantor_consent_requested',
    loanId: randomUUID(),
    consentCode: 'gc_code_of_sixteen+',
    expiresAt: '2026-12-18T11:00:00.000Z',
    principal: { amountMinor: '1600000', currency: 'MWK' },
    termMonths: 48,
    toAddress: 'guardian@example.test',
    toFirstName: 'Chisomo',
    toLastName: 'Banda',
  },
  guarantor_loan_disbursed: {
    template: 'guarantor_loan_disbursed',
    loanId: randomUUID(),
    amount: { amountMinor: '400000', currency: 'MWK' },
    toAddress: 'guardian@example.test',
    toFirstName: 'Chisomo',
    toLastName: 'Banda',
  },
  guarantor_loan_repaid: {
    template: 'guarantor_loan_repaid',
    loanId: randomUUID(),
    toAddress: 'guardian@example.test',
    toFirstName: 'Chisomo',
    toLastName: 'Banda',
  },
  money_received: {
    template: 'money_received',
    transferId: randomUUID(),
    amount: { amountMinor: '100', currency: 'MWK' },
  },
  repayment_received: {
    template: 'repayment_received',
    loanId: randomUUID(),
    amount: { amountMinor: '100', currency: 'MWK' },
    outstanding: { amountMinor: '0', currency: 'MWK' },
  },
  email_verification: {
    template: 'email_verification',
    verificationCode: 'ev_code',
    expiresAt: '2026-11-24T11:00:00.000Z',
  },
  password_reset: {
    template: 'password_reset',
    resetCode: 'pr_<code>&',
    expiresAt: '2026-11-22T11:30:00.000Z',
  },
  password_changed: { template: 'password_changed', method: 'reset', changedAt: '2026-11-22T11:00:00.000Z' },
  email_change_code: {
    template: 'email_change_code',
    confirmationCode: 'ec_code',
    expiresAt: '2026-11-23T11:00:00.000Z',
    toAddress: 'new.address@example.test',
  },
  email_change_requested: { template: 'email_change_requested', toAddress: 'old.address@example.test' },
  email_changed: {
    template: 'email_changed',
    changedAt: '2026-11-22T11:00:00.000Z',
    toAddress: 'old.address@example.test',
  },
  two_factor_changed: {
    template: 'two_factor_changed',
    change: 'recovery_code_used',
    changedAt: '2026-11-22T11:00:00.000Z',
    recoveryCodesLeft: 9,
  },
};

describe('renderMail', () => {
  const recipient = { email: 'amina@example.test', firstName: 'Amina <b>', lastName: 'Phiri' };

  it.each(MAIL_TEMPLATES)('%s: a subject, a plain-text and an HTML part, addressed by name', (template) => {
    const mail = renderMail(samples[template], recipient);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.to).toEqual({ name: 'Amina <b> Phiri', address: 'amina@example.test' });
    expect(mail.text.startsWith('Dear Amina <b>,')).toBe(true);
    expect(mail.html).toContain('Dear Amina &lt;b&gt;,');
    expect(mail.html).not.toContain('<b>');
  });

  it('escapes every value in the HTML part, not only names', () => {
    const mail = renderMail(samples.loan_rejected, recipient);
    expect(mail.text).toContain("The reviewer's note: Income <unverified>");
    expect(mail.html).toContain('The reviewer&#39;s note: Income &lt;unverified&gt;');
  });

  it('puts the reset code in both parts, escaped in the HTML', () => {
    const mail = renderMail(samples.password_reset, recipient);
    expect(mail.text).toContain('Your reset code: pr_<code>&');
    expect(mail.text).toContain('before 2026-11-22 11:30 UTC');
    expect(mail.html).toContain('Your reset code: pr_&lt;code&gt;&amp;');
  });

  it('welcomes a pending agent differently from a student', () => {
    const agent = renderMail({ template: 'welcome', role: 'agent', status: 'pending' }, recipient);
    expect(agent.subject).toBe('Your loan officer registration was received');
    expect(agent.text).toContain('until then you cannot sign in');
  });
});

describe('the rules of who is told', () => {
  const loanId = randomUUID();
  const studentId = randomUUID();
  const agent = randomUUID();
  const admin = randomUUID();

  it('tells the agent who raised a loan, unless they made the change themselves', () => {
    const approved = plans.loanApproved(
      { loanId, studentId, approvedBy: admin, principal: { amountMinor: '1', currency: 'MWK' } },
      { raisedBy: agent, admins: [] },
    );
    expect(approved.notices.map((n) => n.userId)).toEqual([studentId, agent]);
    const selfRejected = plans.loanRejected(
      { loanId, studentId, rejectedBy: agent, reason: null },
      { raisedBy: agent, admins: [] },
    );
    expect(selfRejected.notices.map((n) => n.userId)).toEqual([studentId]);
  });

  it('e-mails only what the templates cover', () => {
    const repaid = plans.loanRepaid({ loanId, studentId }, { raisedBy: agent, admins: [] });
    expect(repaid.mails).toEqual([]);
    const created = plans.loanCreated({
      loanId,
      studentId,
      productId: randomUUID(),
      createdBy: agent,
      principal: { amountMinor: '1', currency: 'MWK' },
    });
    expect(created.mails).toEqual([]);
  });

  it('does not tell a user they received money from themselves', () => {
    const own = plans.transferCompleted({
      transferId: randomUUID(),
      purpose: 'transfer',
      loanId: null,
      fromAccountId: randomUUID(),
      toAccountId: randomUUID(),
      fromUserId: studentId,
      toUserId: studentId,
      amount: { amountMinor: '1', currency: 'MWK' },
    });
    expect(own.notices.map((n) => n.kind)).toEqual(['money_sent']);
    expect(own.mails).toEqual([]);
  });

  it('asks admins about an agent only while the agent is pending', () => {
    const entry = {
      userId: agent,
      email: 'a@example.test',
      firstName: 'Yami',
      lastName: 'Mvula',
      role: 'agent' as const,
      regNumber: null,
    };
    const pending = plans.userRegistered(
      { ...entry, status: 'pending' },
      { raisedBy: null, admins: [admin] },
    );
    expect(pending.notices.map((n) => [n.userId, n.kind])).toEqual([
      [agent, 'welcome'],
      [admin, 'agent_pending_approval'],
    ]);
    const active = plans.userRegistered({ ...entry, status: 'active' }, { raisedBy: null, admins: [admin] });
    expect(active.notices.map((n) => n.userId)).toEqual([agent]);
  });
});

describe('the repayment notices', () => {
  const loanId = randomUUID();
  const studentId = randomUUID();
  const mwk = (amountMinor: string) => ({ amountMinor, currency: 'MWK' });
  const recipient = { email: 'amina@example.test', firstName: 'Amina', lastName: 'Phiri' };

  it('tells the student in-app and by e-mail that repayment started, with the first due date and amount', () => {
    const plan = plans.repaymentStarted({
      loanId,
      studentId,
      businessDate: '2030-06-30',
      firstDueDate: '2030-07-30',
      instalment: mwk('94952'),
      instalments: 12,
      principal: mwk('1113205'),
    });
    expect(plan.notices).toEqual([
      {
        userId: studentId,
        kind: 'repayment_started',
        title: 'Repayment of your loan has started',
        body:
          'Repayment started on 2030-06-30. Your first instalment of MWK 949.52 is due on 2030-07-30; ' +
          '12 monthly instalments repay MWK 11,132.05.',
        data: { loanId, businessDate: '2030-06-30', firstDueDate: '2030-07-30', instalments: 12 },
      },
    ]);
    expect(plan.mails.map((mail) => [mail.userId, mail.template])).toEqual([
      [studentId, 'repayment_started'],
    ]);
    const [params] = plan.mails;
    const mail = renderMail(params as MailParams, recipient);
    expect(mail.subject).toBe('Repayment of your loan has started');
    expect(mail.text).toContain('Your first instalment of MWK 949.52 is due on 2030-07-30.');
    expect(mail.text).toContain('12 monthly instalments repay MWK 11,132.05');
    expect(mail.html).toContain('Your first instalment of MWK 949.52 is due on 2030-07-30.');
  });

  it('reminds the student in-app and by e-mail of the instalment, its amount and its due date', () => {
    const plan = plans.instalmentDueSoon({
      loanId,
      studentId,
      installment: 3,
      dueDate: '2030-09-30',
      amountDue: mwk('94952'),
    });
    expect(plan.notices).toEqual([
      {
        userId: studentId,
        kind: 'instalment_due_soon',
        title: 'An instalment is due soon',
        body: 'Instalment 3 (MWK 949.52) is due on 2030-09-30.',
        data: { loanId, installment: 3, dueDate: '2030-09-30' },
      },
    ]);
    const [params] = plan.mails;
    expect(params).toMatchObject({ template: 'instalment_due_soon', userId: studentId });
    const mail = renderMail(params as MailParams, recipient);
    expect(mail.text).toContain(
      'Instalment 3 of your loan is due on 2030-09-30: MWK 949.52 is still to pay.',
    );
    expect(mail.text).toContain(loanId);
  });

  it('leaves the start of repayment to loan.repaymentStarted, and still tells the start of grace', () => {
    const moved = (to: 'GRACE' | 'REPAYMENT') =>
      plans.loanPhaseChanged({ loanId, studentId, from: 'IN_SCHOOL', to, businessDate: '2030-06-30' });
    expect(moved('REPAYMENT')).toEqual({ notices: [], mails: [] });
    expect(moved('GRACE').notices.map((notice) => [notice.userId, notice.title])).toEqual([
      [studentId, 'Your grace period has started'],
    ]);
  });
});

describe('the tranche notices', () => {
  const loanId = randomUUID();
  const studentId = randomUUID();
  const trancheId = randomUUID();
  const mwk = (amountMinor: string) => ({ amountMinor, currency: 'MWK' });
  const recipient = { email: 'amina@example.test', firstName: 'Amina', lastName: 'Phiri' };
  const rendered = (plan: { mails: unknown[] }) => renderMail(plan.mails[0] as MailParams, recipient);
  const ids = { loanId, trancheId, number: 2 };

  it('certified: the student hears the term, and that it is paid on its planned date', () => {
    const plan = tranchePlans.certified({
      ...ids,
      studentId,
      termLabel: '2027 <Semester> 2',
      certifiedBy: randomUUID(),
      businessDate: '2027-12-01',
    });
    expect(plan.notices).toEqual([
      {
        userId: studentId,
        kind: 'tranche_certified',
        title: 'Your enrolment was certified',
        body: "Your enrolment for 2027 <Semester> 2 was certified on 2027-12-01. The term's money will be paid on its planned date.",
        data: ids,
      },
    ]);
    expect(plan.mails).toEqual([
      expect.objectContaining({
        template: 'tranche_certified',
        userId: studentId,
        termLabel: '2027 <Semester> 2',
      }),
    ]);
    const mail = rendered(plan);
    expect(mail.text).toContain(
      'Your enrolment for 2027 <Semester> 2 (term 2 of your loan) was certified on 2027-12-01.',
    );
    expect(mail.html).toContain('Your enrolment for 2027 &lt;Semester&gt; 2 (term 2 of your loan)');
  });

  it('released: the student hears each leg paid, formatted, and nothing of a leg of zero', () => {
    const released = (tuition: string, upkeep: string) =>
      tranchePlans.released({
        ...ids,
        studentId,
        tuitionTransferId: tuition === '0' ? null : randomUUID(),
        upkeepTransferId: upkeep === '0' ? null : randomUUID(),
        tuition: mwk(tuition),
        upkeep: mwk(upkeep),
      });
    const both = released('300000', '100000');
    expect(both.notices.map((notice) => [notice.userId, notice.kind, notice.body])).toEqual([
      [
        studentId,
        'tranche_released',
        'The money for term 2 of your loan was paid: MWK 3,000.00 of tuition to your institution and MWK 1,000.00 of upkeep to your wallet.',
      ],
    ]);
    expect(rendered(both).text).toContain(
      'The money for term 2 of your loan was paid: MWK 3,000.00 of tuition to your institution and MWK 1,000.00 of upkeep to your wallet.',
    );
    expect(released('0', '123456').notices[0]?.body).toBe(
      'The money for term 2 of your loan was paid: MWK 1,234.56 of upkeep to your wallet.',
    );
    expect(rendered(released('300000', '0')).text).toContain(
      'was paid: MWK 3,000.00 of tuition to your institution.',
    );
  });

  it('releaseFailed: the student hears of a delay, every active admin of the loan and the reason', () => {
    const admins = [randomUUID(), randomUUID()];
    const plan = tranchePlans.releaseFailed(
      { ...ids, studentId, reason: 'wallet_frozen' },
      { admins, raisedBy: null },
    );
    expect(plan.notices.map((notice) => [notice.userId, notice.kind])).toEqual([
      [studentId, 'tranche_release_failed'],
      [admins[0], 'tranche_release_failed'],
      [admins[1], 'tranche_release_failed'],
    ]);
    const [student, admin] = plan.notices;
    expect(student?.title).toBe('The money for a term is delayed');
    expect(student?.body).not.toContain('wallet_frozen');
    expect(admin?.body).toBe(
      `Releasing tranche 2 of loan ${loanId} failed (wallet_frozen); nothing moved. Retry the release once the cause is fixed.`,
    );
    expect(admin?.data).toEqual({ ...ids, studentId, reason: 'wallet_frozen' });
    // Admins act in-app; only the student is e-mailed.
    expect(plan.mails.map((mail) => [mail.userId, mail.template])).toEqual([
      [studentId, 'tranche_release_failed'],
    ]);
    expect(rendered(plan).subject).toBe('The money for a term of your loan is delayed');
  });

  it('lapsed: the student hears the term lapsed for not being taken up, and to contact the board', () => {
    const plan = tranchePlans.lapsed({ ...ids, studentId, businessDate: '2028-10-01' });
    expect(plan.notices).toEqual([
      {
        userId: studentId,
        kind: 'tranche_lapsed',
        title: 'The money for a term lapsed',
        body: 'The money for term 2 of your loan lapsed on 2028-10-01 because it was not taken up in time. Contact the board if you still need it.',
        data: ids,
      },
    ]);
    const mail = rendered(plan);
    expect(mail.text).toContain('If you still need money for this term, contact the board.');
    expect(mail.text).toContain(loanId);
  });
});

describe('server-sent event frames', () => {
  it('keeps data on one line and strips line breaks from ids and names', () => {
    expect(sseEvent({ id: '7\n', event: 'notification', data: { text: 'a\nb' } })).toBe(
      'id: 7\nevent: notification\ndata: {"text":"a\\nb"}\n\n',
    );
    expect(sseComment('heart\nbeat')).toBe(': heart beat\n\n');
  });
});
