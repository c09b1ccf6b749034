import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';

/**
 * Every event of DESIGN §4, applied as the JetStream consumer applies it
 * (the harness's deliver), and what each one writes for whom.
 */
let h: NotificationsHarness;
beforeAll(async () => {
  // No mailer: the e-mails stay queued, so each test sees exactly what its event asked for.
  h = await createNotificationsHarness();
});
afterAll(() => h?.close());

const kinds = async (userId: string) => (await h.notificationsOf(userId)).map((n) => n.kind);
const templates = async (userId: string) => (await h.mailsOf(userId)).map((m) => m.template);

function entry(overrides: Record<string, unknown> = {}) {
  const userId = randomUUID();
  return {
    userId,
    email: `${userId.slice(0, 8)}@example.test`,
    firstName: 'Amina',
    lastName: 'Phiri',
    role: 'student' as const,
    status: 'active' as const,
    regNumber: 'BT/2026/001',
    ...overrides,
  };
}

/** A loan an agent raised for a student, as loans would announce it. */
async function raisedLoan() {
  const student = await h.user('student');
  const agent = await h.user('agent');
  const loanId = randomUUID();
  const created = await h.deliver('loan.created@1', {
    loanId,
    studentId: student.id,
    productId: randomUUID(),
    createdBy: agent.id,
    principal: money('50000000'),
  });
  expect(created.status).toBe(200);
  return { student, agent, loanId };
}

describe('identity events', () => {
  it('user.registered: fills the directory, welcomes the user in-app and by e-mail', async () => {
    const data = entry();
    expect((await h.deliver('user.registered@1', data)).status).toBe(200);
    const row = await h.deps.db
      .selectFrom('user_directory')
      .selectAll()
      .where('user_id', '=', data.userId)
      .executeTakeFirst();
    expect(row).toMatchObject({
      email: data.email,
      first_name: 'Amina',
      last_name: 'Phiri',
      role: 'student',
    });
    expect(await kinds(data.userId)).toEqual(['welcome']);
    expect(await h.mailsOf(data.userId)).toEqual([
      expect.objectContaining({ template: 'welcome', status: 'pending', attempts: 0 }),
    ]);
    // The mail's parameters hold no address or name: those are read when it is sent.
    const [mail] = await h.mailsOf(data.userId);
    expect(mail?.params).not.toContain(data.email);
    expect(mail?.params).not.toContain('Amina');
  });

  it('user.registered of a pending agent: every active admin is asked to approve them', async () => {
    const admins = [await h.user('admin'), await h.user('admin')];
    const inactive = await h.user('admin', { status: 'pending' });
    const agent = entry({ role: 'agent', status: 'pending', regNumber: null, firstName: 'Yamikani' });
    await h.deliver('user.registered@1', agent);
    for (const admin of admins) {
      const [notice] = await h.notificationsOf(admin.id);
      expect(notice).toMatchObject({ kind: 'agent_pending_approval' });
      expect(notice?.body).toContain('Yamikani Phiri');
      expect(JSON.parse(notice?.data ?? '{}')).toEqual({ userId: agent.userId });
    }
    expect(await kinds(inactive.id)).toEqual([]);
    expect(await kinds(agent.userId)).toEqual(['welcome']);
    expect((await h.notificationsOf(agent.userId))[0]?.title).toBe('Your registration was received');
  });

  it('user.updated: replaces the directory entry, and tells nobody', async () => {
    const data = entry();
    await h.deliver('user.registered@1', data);
    await h.deliver('user.updated@1', { ...data, email: 'new.address@example.test', lastName: 'Mvula' });
    const row = await h.deps.db
      .selectFrom('user_directory')
      .selectAll()
      .where('user_id', '=', data.userId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: 'new.address@example.test', last_name: 'Mvula' });
    expect(await kinds(data.userId)).toEqual(['welcome']);
  });

  it('agent.approved: tells the agent in-app and by e-mail', async () => {
    const agent = await h.user('agent', { status: 'pending' });
    await h.deliver('agent.approved@1', { userId: agent.id, approvedBy: randomUUID() });
    expect(await kinds(agent.id)).toEqual(['agent_approved']);
    expect(await templates(agent.id)).toEqual(['agent_approved']);
  });

  it('user.emailVerificationRequested: mails the code, and writes nothing in-app', async () => {
    const student = await h.user('student');
    const verificationCode = `ev_${randomUUID()}`;
    const delivered = await h.deliver('user.emailVerificationRequested@1', {
      userId: student.id,
      verificationCode,
      expiresAt: '2026-11-24T11:00:00.000Z',
    });
    expect(delivered.status).toBe(200);
    expect(await kinds(student.id)).toEqual([]);
    const [mail] = await h.mailsOf(student.id);
    expect(mail?.template).toBe('email_verification');
    expect(JSON.parse(mail?.params ?? '{}')).toMatchObject({ verificationCode });
  });

  it('user.passwordResetRequested: mails the code, and writes nothing in-app', async () => {
    const student = await h.user('student');
    const resetCode = `pr_${randomUUID()}`;
    const delivered = await h.deliver('user.passwordResetRequested@1', {
      userId: student.id,
      resetCode,
      expiresAt: '2026-11-22T11:30:00.000Z',
    });
    expect(delivered.status).toBe(200);
    expect(await kinds(student.id)).toEqual([]);
    const [mail] = await h.mailsOf(student.id);
    expect(mail?.template).toBe('password_reset');
    expect(JSON.parse(mail?.params ?? '{}')).toMatchObject({ resetCode });
  });

  it('user.passwordChanged: tells the owner in-app and by e-mail', async () => {
    const student = await h.user('student');
    await h.deliver('user.passwordChanged@1', {
      userId: student.id,
      changedAt: '2026-11-22T11:00:00.000Z',
      method: 'changed',
    });
    expect(await kinds(student.id)).toEqual(['password_changed']);
    expect(await templates(student.id)).toEqual(['password_changed']);
  });

  it('user.emailChangeRequested: mails the code to the new address and a warning to the old, nothing in-app', async () => {
    const student = await h.user('student');
    const confirmationCode = `ec_${randomUUID()}`;
    const delivered = await h.deliver('user.emailChangeRequested@1', {
      userId: student.id,
      oldEmail: student.email,
      newEmail: 'new.address@example.test',
      confirmationCode,
      expiresAt: '2026-11-23T11:00:00.000Z',
    });
    expect(delivered.status).toBe(200);
    expect(await kinds(student.id)).toEqual([]);
    const mails = await h.mailsOf(student.id);
    const byTemplate = new Map(mails.map((m) => [m.template, JSON.parse(m.params)]));
    expect([...byTemplate.keys()].sort()).toEqual(['email_change_code', 'email_change_requested']);
    expect(byTemplate.get('email_change_code')).toMatchObject({
      confirmationCode,
      toAddress: 'new.address@example.test',
    });
    expect(byTemplate.get('email_change_requested')).toEqual({
      template: 'email_change_requested',
      toAddress: student.email,
    });
  });

  it('user.emailChanged: tells the owner in-app and warns the old address by e-mail', async () => {
    const student = await h.user('student');
    await h.deliver('user.emailChanged@1', {
      userId: student.id,
      oldEmail: 'old.address@example.test',
      changedAt: '2026-11-22T11:00:00.000Z',
    });
    expect(await kinds(student.id)).toEqual(['email_changed']);
    const [mail] = await h.mailsOf(student.id);
    expect(mail?.template).toBe('email_changed');
    expect(JSON.parse(mail?.params ?? '{}').toAddress).toBe('old.address@example.test');
  });

  it('user.twoFactorChanged: tells the owner in-app and by e-mail', async () => {
    const student = await h.user('student');
    await h.deliver('user.twoFactorChanged@1', {
      userId: student.id,
      change: 'recovery_code_used',
      changedAt: '2026-11-22T11:00:00.000Z',
      recoveryCodesLeft: 9,
    });
    expect(await kinds(student.id)).toEqual(['two_factor_changed']);
    expect(await templates(student.id)).toEqual(['two_factor_changed']);
  });

  it("user.disabled: marks the directory entry and refuses the user's tokens", async () => {
    const student = await h.user('student');
    expect((await h.call('GET', '/api/v1/notifications', { token: student.token })).status).toBe(200);
    await h.deliver('user.disabled@1', {
      userId: student.id,
      disabledBy: randomUUID(),
      disabledAt: new Date(Date.now() + 1000).toISOString(),
    });
    const row = await h.deps.db
      .selectFrom('user_directory')
      .select('status')
      .where('user_id', '=', student.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('disabled');
    expect((await h.call('GET', '/api/v1/notifications', { token: student.token })).status).toBe(401);
  });
});

describe('loan events', () => {
  it('loan.created: tells the student, not the agent who raised it', async () => {
    const { student, agent, loanId } = await raisedLoan();
    const [notice] = await h.notificationsOf(student.id);
    expect(notice).toMatchObject({ kind: 'loan_created' });
    expect(JSON.parse(notice?.data ?? '{}')).toMatchObject({ loanId });
    expect(await kinds(agent.id)).toEqual([]);
    expect(await templates(student.id)).toEqual([]);
  });

  it('loan.approved: the student (in-app and e-mail) and the agent who raised it', async () => {
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('loan.approved@1', {
      loanId,
      studentId: student.id,
      approvedBy: randomUUID(),
      principal: money('50000000'),
    });
    expect(await kinds(student.id)).toEqual(['loan_created', 'loan_approved']);
    expect((await h.notificationsOf(student.id))[1]?.body).toContain('MWK 500,000.00');
    expect(await templates(student.id)).toEqual(['loan_approved']);
    expect(await kinds(agent.id)).toEqual(['loan_approved']);
    expect(await templates(agent.id)).toEqual([]);
  });

  it('loan.rejected: the student hears the reason in-app and by e-mail; the agent in-app', async () => {
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('loan.rejected@1', {
      loanId,
      studentId: student.id,
      rejectedBy: randomUUID(),
      reason: 'The guardian could not be reached.',
    });
    const notice = (await h.notificationsOf(student.id))[1];
    expect(notice?.kind).toBe('loan_rejected');
    expect(notice?.body).toContain('The guardian could not be reached.');
    expect(await templates(student.id)).toEqual(['loan_rejected']);
    expect(await kinds(agent.id)).toEqual(['loan_rejected']);
  });

  it("loan.created and loan.cancelled on a student's own application: their own wording, no second notice", async () => {
    const student = await h.user('student');
    const admin = await h.user('admin');
    const loanId = randomUUID();
    await h.deliver('loan.created@1', {
      loanId,
      studentId: student.id,
      productId: randomUUID(),
      createdBy: student.id,
      principal: money('50000000'),
    });
    const [created] = await h.notificationsOf(student.id);
    expect(created?.title).toBe('Your loan application was received');
    expect(created?.body).not.toContain('raised for you');

    await h.deliver('loan.cancelled@1', { loanId, studentId: student.id, cancelledBy: admin.id });
    const notices = await h.notificationsOf(student.id);
    expect(notices.map((notice) => notice.kind)).toEqual(['loan_created', 'loan_cancelled']);
    expect(notices[1]?.body).toBe('Your loan application was withdrawn before it was decided.');
  });

  it('loan.cancelled: the student always hears of it; the agent unless they cancelled it', async () => {
    const byAgent = await raisedLoan();
    await h.deliver('loan.cancelled@1', {
      loanId: byAgent.loanId,
      studentId: byAgent.student.id,
      cancelledBy: byAgent.agent.id,
    });
    expect(await kinds(byAgent.student.id)).toEqual(['loan_created', 'loan_cancelled']);
    expect(await kinds(byAgent.agent.id)).toEqual([]);

    const byStudent = await raisedLoan();
    await h.deliver('loan.cancelled@1', {
      loanId: byStudent.loanId,
      studentId: byStudent.student.id,
      cancelledBy: byStudent.student.id,
    });
    expect(await kinds(byStudent.student.id)).toEqual(['loan_created', 'loan_cancelled']);
    expect((await h.notificationsOf(byStudent.student.id))[1]?.title).toBe(
      'You withdrew your loan application',
    );
    expect(await kinds(byStudent.agent.id)).toEqual(['loan_cancelled']);
  });

  it('loan.phaseChanged and loan.interestCapitalised: the student hears when grace starts and of the interest added', async () => {
    const { student, loanId } = await raisedLoan();
    const moved = (to: 'GRACE' | 'REPAYMENT', businessDate: string) =>
      h.deliver('loan.phaseChanged@1', {
        loanId,
        studentId: student.id,
        from: 'IN_SCHOOL',
        to,
        businessDate,
      });
    expect((await moved('GRACE', '2029-06-30')).status).toBe(200);
    const capitalised = await h.deliver('loan.interestCapitalised@1', {
      loanId,
      studentId: student.id,
      amount: money('113205'),
      businessDate: '2030-06-30',
    });
    expect(capitalised.status).toBe(200);
    // The move to repayment says nothing itself: loan.repaymentStarted tells it, with the first due date.
    expect((await moved('REPAYMENT', '2030-06-30')).status).toBe(200);
    const notices = (await h.notificationsOf(student.id)).slice(1);
    expect(notices.map((notice) => notice.kind)).toEqual(['loan_phase_changed', 'interest_capitalised']);
    expect(notices[1]?.body).toContain('was added to your loan on 2030-06-30');
  });

  it('loan.repaymentStarted: the student, in-app and by e-mail, with the first due date and amount', async () => {
    const { student, agent, loanId } = await raisedLoan();
    const delivered = await h.deliver('loan.repaymentStarted@1', {
      loanId,
      studentId: student.id,
      businessDate: '2030-06-30',
      firstDueDate: '2030-07-30',
      instalment: money('94952'),
      instalments: 12,
      principal: money('1113205'),
    });
    expect(delivered.status).toBe(200);
    const notice = (await h.notificationsOf(student.id))[1];
    expect(notice).toMatchObject({ kind: 'repayment_started', title: 'Repayment of your loan has started' });
    expect(notice?.body).toContain('Your first instalment of MWK 949.52 is due on 2030-07-30');
    expect(await h.mailsOf(student.id)).toEqual([
      expect.objectContaining({ template: 'repayment_started', status: 'pending' }),
    ]);
    expect(await kinds(agent.id)).toEqual([]);
  });

  it('loan.instalmentDueSoon: the student, in-app and by e-mail, once even when delivered twice', async () => {
    const { student, loanId } = await raisedLoan();
    const event = {
      loanId,
      studentId: student.id,
      installment: 2,
      dueDate: '2030-08-30',
      amountDue: money('94952'),
    };
    const id = randomUUID();
    expect((await h.deliver('loan.instalmentDueSoon@1', event, { id })).status).toBe(200);
    expect((await h.deliver('loan.instalmentDueSoon@1', event, { id })).status).toBe(200);
    expect(await kinds(student.id)).toEqual(['loan_created', 'instalment_due_soon']);
    expect((await h.notificationsOf(student.id))[1]?.body).toBe(
      'Instalment 2 (MWK 949.52) is due on 2030-08-30.',
    );
    expect(await templates(student.id)).toEqual(['instalment_due_soon']);
  });

  it('loan.disbursed: the student (in-app and e-mail) and the agent', async () => {
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('loan.disbursed@1', {
      loanId,
      studentId: student.id,
      transferId: randomUUID(),
      amount: money('50000000'),
    });
    expect(await kinds(student.id)).toEqual(['loan_created', 'loan_disbursed']);
    expect(await templates(student.id)).toEqual(['loan_disbursed']);
    expect(await kinds(agent.id)).toEqual(['loan_disbursed']);
  });

  it('repayment.received: the student, in-app and by e-mail, with what is still owed', async () => {
    const { student, loanId } = await raisedLoan();
    await h.deliver('repayment.received@1', {
      loanId,
      studentId: student.id,
      repaymentId: randomUUID(),
      transferId: randomUUID(),
      amount: money('1000000'),
      outstanding: money('49000000'),
    });
    const notice = (await h.notificationsOf(student.id))[1];
    expect(notice?.kind).toBe('repayment_received');
    expect(notice?.body).toBe('We received your repayment of MWK 10,000.00. Still to repay: MWK 490,000.00.');
    expect(await templates(student.id)).toEqual(['repayment_received']);
  });

  it('loan.repaid: the student and the agent, in-app', async () => {
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('loan.repaid@1', { loanId, studentId: student.id });
    expect(await kinds(student.id)).toEqual(['loan_created', 'loan_repaid']);
    expect(await kinds(agent.id)).toEqual(['loan_repaid']);
  });

  it('loan.overdue: the student (in-app and e-mail) and the agent', async () => {
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('loan.overdue@1', {
      loanId,
      studentId: student.id,
      installment: 3,
      dueDate: '2026-05-31',
      overdue: money('2500000'),
    });
    expect((await h.notificationsOf(student.id))[1]?.body).toBe(
      'Instalment 3 (MWK 25,000.00) was due on 2026-05-31.',
    );
    expect(await templates(student.id)).toEqual(['loan_overdue']);
    expect(await kinds(agent.id)).toEqual(['loan_overdue']);
  });

  it('tells only the student about a loan this service never saw created', async () => {
    const student = await h.user('student');
    await h.deliver('loan.approved@1', {
      loanId: randomUUID(),
      studentId: student.id,
      approvedBy: randomUUID(),
      principal: money('100'),
    });
    expect(await kinds(student.id)).toEqual(['loan_approved']);
  });
});

describe('ledger events', () => {
  it('disbursement.failed: every active admin and the agent who raised the loan; not the student', async () => {
    const admin = await h.user('admin');
    const { student, agent, loanId } = await raisedLoan();
    await h.deliver('disbursement.failed@1', {
      loanId,
      studentId: student.id,
      amount: money('50000000'),
      reason: 'wallet_frozen',
    });
    const [notice] = await h.notificationsOf(admin.id);
    expect(notice?.kind).toBe('disbursement_failed');
    expect(notice?.body).toContain('wallet_frozen');
    expect(await kinds(agent.id)).toEqual(['disbursement_failed']);
    expect(await kinds(student.id)).toEqual(['loan_created']);
  });

  it('transfer.completed between users: the recipient gets money (in-app and e-mail), the sender a receipt', async () => {
    const from = await h.user('student');
    const to = await h.user('student');
    await h.deliver('transfer.completed@1', {
      transferId: randomUUID(),
      purpose: 'transfer',
      loanId: null,
      fromAccountId: randomUUID(),
      toAccountId: randomUUID(),
      fromUserId: from.id,
      toUserId: to.id,
      amount: money('250000'),
    });
    expect(await kinds(to.id)).toEqual(['money_received']);
    expect(await templates(to.id)).toEqual(['money_received']);
    expect(await kinds(from.id)).toEqual(['money_sent']);
    expect(await templates(from.id)).toEqual([]);
  });

  it('transfer.completed of a deposit or a withdrawal tells the account holder', async () => {
    const holder = await h.user('student');
    const base = {
      loanId: null,
      fromAccountId: randomUUID(),
      toAccountId: randomUUID(),
      amount: money('100'),
    };
    await h.deliver('transfer.completed@1', {
      ...base,
      transferId: randomUUID(),
      purpose: 'deposit',
      fromUserId: null,
      toUserId: holder.id,
    });
    await h.deliver('transfer.completed@1', {
      ...base,
      transferId: randomUUID(),
      purpose: 'withdrawal',
      fromUserId: holder.id,
      toUserId: null,
    });
    expect(await kinds(holder.id)).toEqual(['money_received', 'money_withdrawn']);
    expect(await templates(holder.id)).toEqual(['money_received']);
  });

  it('transfer.completed of a disbursement or repayment tells nobody (the loan events do)', async () => {
    const student = await h.user('student');
    for (const purpose of ['disbursement', 'repayment'] as const) {
      const delivered = await h.deliver('transfer.completed@1', {
        transferId: randomUUID(),
        purpose,
        loanId: randomUUID(),
        fromAccountId: randomUUID(),
        toAccountId: randomUUID(),
        fromUserId: purpose === 'repayment' ? student.id : null,
        toUserId: purpose === 'disbursement' ? student.id : null,
        amount: money('100'),
      });
      expect(delivered.json).toEqual({ status: 'processed' });
    }
    expect(await kinds(student.id)).toEqual([]);
  });
});

describe('tranche events', () => {
  async function tranche() {
    const { student, agent, loanId } = await raisedLoan();
    return { student, agent, ids: { loanId, studentId: student.id, trancheId: randomUUID(), number: 1 } };
  }

  it('tranche.certified: the student, in-app and by e-mail, with the term; not the agent who certified it', async () => {
    const { student, agent, ids } = await tranche();
    const delivered = await h.deliver('tranche.certified@1', {
      ...ids,
      termLabel: '2027 Semester 1',
      certifiedBy: agent.id,
      businessDate: '2027-08-20',
    });
    expect(delivered.status).toBe(200);
    const notice = (await h.notificationsOf(student.id))[1];
    expect(notice).toMatchObject({ kind: 'tranche_certified', title: 'Your enrolment was certified' });
    expect(notice?.body).toContain('Your enrolment for 2027 Semester 1 was certified on 2027-08-20.');
    expect(JSON.parse(notice?.data ?? '{}')).toEqual({
      loanId: ids.loanId,
      trancheId: ids.trancheId,
      number: 1,
    });
    expect(await templates(student.id)).toEqual(['tranche_certified']);
    expect(await kinds(agent.id)).toEqual([]);
  });

  it('tranche.released: the student, in-app and by e-mail, with what went to the institution and the wallet', async () => {
    const { student, ids } = await tranche();
    const delivered = await h.deliver('tranche.released@1', {
      ...ids,
      tuitionTransferId: randomUUID(),
      upkeepTransferId: randomUUID(),
      tuition: money('300000'),
      upkeep: money('100000'),
    });
    expect(delivered.status).toBe(200);
    expect(await kinds(student.id)).toEqual(['loan_created', 'tranche_released']);
    expect((await h.notificationsOf(student.id))[1]?.body).toBe(
      'The money for term 1 of your loan was paid: MWK 3,000.00 of tuition to your institution and MWK 1,000.00 of upkeep to your wallet.',
    );
    expect(await h.mailsOf(student.id)).toEqual([
      expect.objectContaining({ template: 'tranche_released', status: 'pending' }),
    ]);
  });

  it('tranche.releaseFailed: the student and every active admin, once even when delivered twice', async () => {
    const admin = await h.user('admin');
    const inactive = await h.user('admin', { status: 'pending' });
    const { student, agent, ids } = await tranche();
    const event = { ...ids, reason: 'no_funding_account' };
    const id = randomUUID();
    expect((await h.deliver('tranche.releaseFailed@1', event, { id })).status).toBe(200);
    expect((await h.deliver('tranche.releaseFailed@1', event, { id })).status).toBe(200);
    const notices = await h.notificationsOf(admin.id);
    expect(notices.map((notice) => notice.kind)).toEqual(['tranche_release_failed']);
    expect(notices[0]?.body).toContain(`loan ${ids.loanId} failed (no_funding_account)`);
    expect(await kinds(student.id)).toEqual(['loan_created', 'tranche_release_failed']);
    expect(await templates(student.id)).toEqual(['tranche_release_failed']);
    expect(await templates(admin.id)).toEqual([]);
    expect(await kinds(inactive.id)).toEqual([]);
    expect(await kinds(agent.id)).toEqual([]);
  });

  it('tranche.lapsed: the student, in-app and by e-mail', async () => {
    const { student, ids } = await tranche();
    expect((await h.deliver('tranche.lapsed@1', { ...ids, businessDate: '2028-10-01' })).status).toBe(200);
    const notice = (await h.notificationsOf(student.id))[1];
    expect(notice).toMatchObject({ kind: 'tranche_lapsed', title: 'The money for a term lapsed' });
    expect(notice?.body).toContain('lapsed on 2028-10-01 because it was not taken up in time');
    expect(await templates(student.id)).toEqual(['tranche_lapsed']);
  });
});

describe('the inbox', () => {
  it('applies a redelivered event once', async () => {
    const student = await h.user('student');
    const event = {
      loanId: randomUUID(),
      studentId: student.id,
      approvedBy: randomUUID(),
      principal: money('100'),
    };
    const first = await h.deliver('loan.approved@1', event);
    const again = await h.deliver('loan.approved@1', event, { id: first.id });
    expect(again.json).toEqual({ status: 'duplicate' });
    expect(await kinds(student.id)).toEqual(['loan_approved']);
    expect(await templates(student.id)).toEqual(['loan_approved']);
  });

  it('numbers each user’s notifications 1, 2, 3… even when events for them arrive at once', async () => {
    const student = await h.user('student');
    const admin = await h.user('admin');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2
          ? h.deliver('loan.repaid@1', { loanId: randomUUID(), studentId: student.id })
          : h.deliver('disbursement.failed@1', {
              loanId: randomUUID(),
              studentId: student.id,
              amount: money('1'),
              reason: 'no_funding_account',
            }),
      ),
    );
    const statuses = (await h.notificationsOf(student.id)).map((n) => Number(n.seq));
    expect(statuses).toEqual([1, 2, 3, 4]);
    expect((await h.notificationsOf(admin.id)).map((n) => Number(n.seq))).toEqual([1, 2, 3, 4]);
  });

  it('refuses bad data (naming the field, not the value) and an unknown version for good', async () => {
    const bad = await h.deliver('loan.repaid@1', { loanId: 'nope', studentId: randomUUID() } as never);
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toContain('data.loanId');
    expect(bad.json.reason).not.toContain('nope');
    const unknown = await h.deliver('loan.repaid@2' as never, { loanId: randomUUID() } as never);
    expect(unknown.status).toBe(422);
  });
});
