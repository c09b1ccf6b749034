import type { EventData } from '@bonding/contracts';
import type { MailParams } from './mail-templates.js';
import { formatMoney } from './money.js';

/** What an in-app notification is about; clients may choose an icon or a link by it. */
export const NOTICE_KINDS = [
  'welcome',
  'agent_pending_approval',
  'agent_approved',
  'loan_created',
  'loan_approved',
  'loan_rejected',
  'loan_cancelled',
  'loan_disbursed',
  'disbursement_failed',
  'money_received',
  'money_sent',
  'money_withdrawn',
  'repayment_received',
  'loan_repaid',
  'loan_overdue',
  'loan_phase_changed',
  'interest_capitalised',
  'repayment_started',
  'instalment_due_soon',
  'tranche_certified',
  'tranche_released',
  'tranche_release_failed',
  'tranche_lapsed',
  'guarantor_consented',
  'guarantor_declined',
  'password_changed',
  'email_changed',
  'two_factor_changed',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  userId: string;
  kind: NoticeKind;
  title: string;
  body: string;
  /** Ids and values a client may link to: never an address or a name. */
  data: Record<string, string | number | null>;
}

export type MailRequest = MailParams & { userId: string };

/** What one event means for people: notifications to write and e-mails to send. */
export interface Plan {
  notices: Notice[];
  mails: MailRequest[];
}

/** What the rules need to know besides the event, looked up by the caller. */
export interface PlanContext {
  /** Active admins, for the notices only they act on. */
  admins: readonly string[];
  /** Who raised the loan (loan.created), when this service saw it. */
  raisedBy: string | null;
}

const nothing = (): Plan => ({ notices: [], mails: [] });

/**
 * The agent who raised a loan hears of it too, unless they are the one who acted, or the loan is the
 * student's own application (the student's notice already tells them).
 */
function agentOf(context: PlanContext, studentId: string, ...actors: (string | undefined)[]): string | null {
  const raisedBy = context.raisedBy;
  return raisedBy && raisedBy !== studentId && !actors.includes(raisedBy) ? raisedBy : null;
}

export const plans = {
  userRegistered(data: EventData<'user.registered@1'>, context: PlanContext): Plan {
    const pendingAgent = data.role === 'agent' && data.status === 'pending';
    const welcome: Notice = {
      userId: data.userId,
      kind: 'welcome',
      title: pendingAgent ? 'Your registration was received' : 'Welcome to the Bonding Platform',
      body: pendingAgent
        ? 'An administrator will review your loan officer account; you can work once it is approved.'
        : data.role === 'student'
          ? 'File your personal details, a guardian and a bank account so a loan officer can raise a loan for you.'
          : 'Your account is ready.',
      data: { userId: data.userId },
    };
    const admins: Notice[] = pendingAgent
      ? context.admins.map((admin) => ({
          userId: admin,
          kind: 'agent_pending_approval',
          title: 'A loan officer is waiting for approval',
          body: `${data.firstName} ${data.lastName} registered as a loan officer and needs an administrator's approval.`,
          data: { userId: data.userId },
        }))
      : [];
    return {
      notices: [welcome, ...admins],
      mails: [{ template: 'welcome', userId: data.userId, role: data.role, status: data.status }],
    };
  },

  /** The code goes by e-mail only: receiving it there is what proves the address. */
  emailVerificationRequested(data: EventData<'user.emailVerificationRequested@1'>): Plan {
    return {
      notices: [],
      mails: [
        {
          template: 'email_verification',
          userId: data.userId,
          verificationCode: data.verificationCode,
          expiresAt: data.expiresAt,
        },
      ],
    };
  },

  /** The code goes by e-mail only: never in-app, where whoever holds a session could read it. */
  passwordResetRequested(data: EventData<'user.passwordResetRequested@1'>): Plan {
    return {
      notices: [],
      mails: [
        {
          template: 'password_reset',
          userId: data.userId,
          resetCode: data.resetCode,
          expiresAt: data.expiresAt,
        },
      ],
    };
  },

  passwordChanged(data: EventData<'user.passwordChanged@1'>): Plan {
    return {
      notices: [
        {
          userId: data.userId,
          kind: 'password_changed',
          title: 'Your password was changed',
          body:
            data.method === 'reset'
              ? 'Your password was reset with an e-mailed code; every session was signed out.'
              : 'Your password was changed; your other sessions were signed out.',
          data: { userId: data.userId, method: data.method },
        },
      ],
      mails: [
        { template: 'password_changed', userId: data.userId, method: data.method, changedAt: data.changedAt },
      ],
    };
  },

  /** The code goes to the new address only (receiving it proves that address); the old one is warned. */
  emailChangeRequested(data: EventData<'user.emailChangeRequested@1'>): Plan {
    return {
      notices: [],
      mails: [
        {
          template: 'email_change_code',
          userId: data.userId,
          confirmationCode: data.confirmationCode,
          expiresAt: data.expiresAt,
          toAddress: data.newEmail,
        },
        { template: 'email_change_requested', userId: data.userId, toAddress: data.oldEmail },
      ],
    };
  },

  emailChanged(data: EventData<'user.emailChanged@1'>): Plan {
    return {
      notices: [
        {
          userId: data.userId,
          kind: 'email_changed',
          title: 'Your e-mail address was changed',
          body: 'Your account now uses the new address you confirmed; your other sessions were signed out.',
          data: { userId: data.userId },
        },
      ],
      mails: [
        {
          template: 'email_changed',
          userId: data.userId,
          changedAt: data.changedAt,
          toAddress: data.oldEmail,
        },
      ],
    };
  },

  twoFactorChanged(data: EventData<'user.twoFactorChanged@1'>): Plan {
    const body = {
      enabled: 'Signing in now needs a code from your authenticator app.',
      disabled: 'Two-factor sign-in was turned off: signing in needs only your password.',
      recovery_code_used: `A recovery code was used to sign in. Recovery codes left: ${data.recoveryCodesLeft ?? 0}.`,
      recovery_codes_renewed: 'New recovery codes were made; the earlier ones no longer work.',
    }[data.change];
    return {
      notices: [
        {
          userId: data.userId,
          kind: 'two_factor_changed',
          title: 'Your two-factor sign-in changed',
          body,
          data: { userId: data.userId, change: data.change },
        },
      ],
      mails: [
        {
          template: 'two_factor_changed',
          userId: data.userId,
          change: data.change,
          changedAt: data.changedAt,
          recoveryCodesLeft: data.recoveryCodesLeft,
        },
      ],
    };
  },

  agentApproved(data: EventData<'agent.approved@1'>): Plan {
    return {
      notices: [
        {
          userId: data.userId,
          kind: 'agent_approved',
          title: 'Your loan officer account is approved',
          body: 'You can now raise loans for students.',
          data: { userId: data.userId },
        },
      ],
      mails: [{ template: 'agent_approved', userId: data.userId }],
    };
  },

  loanCreated(data: EventData<'loan.created@1'>): Plan {
    const amount = formatMoney(data.principal);
    const ownApplication = data.createdBy === data.studentId;
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_created',
          title: ownApplication
            ? 'Your loan application was received'
            : 'A loan application was raised for you',
          body: ownApplication
            ? `Your application for ${amount} was received and awaits a decision.`
            : `An application for ${amount} was raised for you and awaits a decision.`,
          data: { loanId: data.loanId, productId: data.productId },
        },
      ],
      mails: [],
    };
  },

  loanApproved(data: EventData<'loan.approved@1'>, context: PlanContext): Plan {
    const amount = formatMoney(data.principal);
    const agent = agentOf(context, data.studentId, data.approvedBy);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_approved',
          title: 'Your loan was approved',
          body: `Your loan of ${amount} was approved. It will be paid into your wallet shortly.`,
          data: { loanId: data.loanId },
        },
        ...(agent
          ? [
              {
                userId: agent,
                kind: 'loan_approved' as const,
                title: 'A loan you raised was approved',
                body: `The loan of ${amount} you raised was approved.`,
                data: { loanId: data.loanId, studentId: data.studentId },
              },
            ]
          : []),
      ],
      mails: [
        { template: 'loan_approved', userId: data.studentId, loanId: data.loanId, principal: data.principal },
      ],
    };
  },

  loanRejected(data: EventData<'loan.rejected@1'>, context: PlanContext): Plan {
    const agent = agentOf(context, data.studentId, data.rejectedBy);
    const note = data.reason ? ` Reason: ${data.reason}` : '';
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_rejected',
          title: 'Your loan application was not approved',
          body: `Your loan application was not approved.${note}`,
          data: { loanId: data.loanId },
        },
        ...(agent
          ? [
              {
                userId: agent,
                kind: 'loan_rejected' as const,
                title: 'A loan you raised was rejected',
                body: `The loan application you raised was rejected.${note}`,
                data: { loanId: data.loanId, studentId: data.studentId },
              },
            ]
          : []),
      ],
      mails: [
        { template: 'loan_rejected', userId: data.studentId, loanId: data.loanId, reason: data.reason },
      ],
    };
  },

  loanCancelled(data: EventData<'loan.cancelled@1'>, context: PlanContext): Plan {
    const agent = agentOf(context, data.studentId, data.cancelledBy);
    const byStudent = data.cancelledBy === data.studentId;
    const raisedForStudent = context.raisedBy !== null && context.raisedBy !== data.studentId;
    const notices: Notice[] = [
      {
        userId: data.studentId,
        kind: 'loan_cancelled',
        title: byStudent ? 'You withdrew your loan application' : 'A loan application was withdrawn',
        body: byStudent
          ? 'Your loan application was withdrawn at your request before it was decided.'
          : raisedForStudent
            ? 'A loan application raised for you was withdrawn before it was decided.'
            : 'Your loan application was withdrawn before it was decided.',
        data: { loanId: data.loanId },
      },
    ];
    if (agent) {
      notices.push({
        userId: agent,
        kind: 'loan_cancelled',
        title: 'A loan you raised was withdrawn',
        body: 'A loan application you raised was withdrawn before it was decided.',
        data: { loanId: data.loanId, studentId: data.studentId },
      });
    }
    return { notices, mails: [] };
  },

  loanDisbursed(data: EventData<'loan.disbursed@1'>, context: PlanContext): Plan {
    const amount = formatMoney(data.amount);
    const agent = agentOf(context, data.studentId);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_disbursed',
          title: 'Your loan was paid out',
          body: `${amount} was paid into your wallet.`,
          data: { loanId: data.loanId, transferId: data.transferId },
        },
        ...(agent
          ? [
              {
                userId: agent,
                kind: 'loan_disbursed' as const,
                title: 'A loan you raised was paid out',
                body: `${amount} was paid into the student's wallet.`,
                data: { loanId: data.loanId, studentId: data.studentId },
              },
            ]
          : []),
      ],
      mails: [
        { template: 'loan_disbursed', userId: data.studentId, loanId: data.loanId, amount: data.amount },
      ],
    };
  },

  disbursementFailed(data: EventData<'disbursement.failed@1'>, context: PlanContext): Plan {
    const recipients = [...new Set([...context.admins, ...(context.raisedBy ? [context.raisedBy] : [])])];
    return {
      notices: recipients.map((userId) => ({
        userId,
        kind: 'disbursement_failed',
        title: 'A loan could not be paid out',
        body: `Paying out ${formatMoney(data.amount)} failed (${data.reason}). An administrator can retry once the cause is fixed.`,
        data: { loanId: data.loanId, studentId: data.studentId, reason: data.reason },
      })),
      mails: [],
    };
  },

  transferCompleted(data: EventData<'transfer.completed@1'>): Plan {
    // Disbursements and repayments are told by loan.disbursed and repayment.received, in loan terms.
    if (data.purpose === 'disbursement' || data.purpose === 'repayment') return nothing();
    const amount = formatMoney(data.amount);
    const plan = nothing();
    const ids = { transferId: data.transferId };
    if ((data.purpose === 'transfer' || data.purpose === 'deposit') && data.toUserId) {
      if (data.toUserId !== data.fromUserId) {
        plan.notices.push({
          userId: data.toUserId,
          kind: 'money_received',
          title: 'You received money',
          body: `${amount} arrived in your wallet.`,
          data: ids,
        });
        plan.mails.push({
          template: 'money_received',
          userId: data.toUserId,
          transferId: data.transferId,
          amount: data.amount,
        });
      }
    }
    if (data.purpose === 'transfer' && data.fromUserId) {
      plan.notices.push({
        userId: data.fromUserId,
        kind: 'money_sent',
        title: 'Transfer sent',
        body: `${amount} left your wallet.`,
        data: ids,
      });
    }
    if (data.purpose === 'withdrawal' && data.fromUserId) {
      plan.notices.push({
        userId: data.fromUserId,
        kind: 'money_withdrawn',
        title: 'Withdrawal completed',
        body: `${amount} was withdrawn from your wallet.`,
        data: ids,
      });
    }
    return plan;
  },

  repaymentReceived(data: EventData<'repayment.received@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'repayment_received',
          title: 'Repayment received',
          body: `We received your repayment of ${formatMoney(data.amount)}. Still to repay: ${formatMoney(data.outstanding)}.`,
          data: { loanId: data.loanId, repaymentId: data.repaymentId },
        },
      ],
      mails: [
        {
          template: 'repayment_received',
          userId: data.studentId,
          loanId: data.loanId,
          amount: data.amount,
          outstanding: data.outstanding,
        },
      ],
    };
  },

  loanPhaseChanged(data: EventData<'loan.phaseChanged@1'>): Plan {
    // loan.repaymentStarted@1 tells the start of repayment with what the student needs: the first due
    // date and amount. A notice here too would say it twice.
    if (data.to === 'REPAYMENT') return nothing();
    const said =
      data.to === 'GRACE'
        ? {
            title: 'Your grace period has started',
            body: `Your studies ended; from ${data.businessDate} your loan is in its grace period before repayment.`,
          }
        : { title: 'Your loan moved on', body: `From ${data.businessDate} your loan is in ${data.to}.` };
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_phase_changed',
          ...said,
          data: { loanId: data.loanId, phase: data.to, businessDate: data.businessDate },
        },
      ],
      mails: [],
    };
  },

  interestCapitalised(data: EventData<'loan.interestCapitalised@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'interest_capitalised',
          title: 'Interest added to your loan',
          body: `${formatMoney(data.amount)} of interest accrued while you studied was added to your loan on ${data.businessDate}.`,
          data: { loanId: data.loanId, businessDate: data.businessDate },
        },
      ],
      mails: [],
    };
  },

  repaymentStarted(data: EventData<'loan.repaymentStarted@1'>): Plan {
    const instalment = formatMoney(data.instalment);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'repayment_started',
          title: 'Repayment of your loan has started',
          body:
            `Repayment started on ${data.businessDate}. Your first instalment of ${instalment} is due on ` +
            `${data.firstDueDate}; ${data.instalments} monthly instalments repay ${formatMoney(data.principal)}.`,
          data: {
            loanId: data.loanId,
            businessDate: data.businessDate,
            firstDueDate: data.firstDueDate,
            instalments: data.instalments,
          },
        },
      ],
      mails: [
        {
          template: 'repayment_started',
          userId: data.studentId,
          loanId: data.loanId,
          businessDate: data.businessDate,
          firstDueDate: data.firstDueDate,
          instalment: data.instalment,
          instalments: data.instalments,
          principal: data.principal,
        },
      ],
    };
  },

  instalmentDueSoon(data: EventData<'loan.instalmentDueSoon@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'instalment_due_soon',
          title: 'An instalment is due soon',
          body: `Instalment ${data.installment} (${formatMoney(data.amountDue)}) is due on ${data.dueDate}.`,
          data: { loanId: data.loanId, installment: data.installment, dueDate: data.dueDate },
        },
      ],
      mails: [
        {
          template: 'instalment_due_soon',
          userId: data.studentId,
          loanId: data.loanId,
          installment: data.installment,
          dueDate: data.dueDate,
          amountDue: data.amountDue,
        },
      ],
    };
  },

  loanRepaid(data: EventData<'loan.repaid@1'>, context: PlanContext): Plan {
    const agent = agentOf(context, data.studentId);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_repaid',
          title: 'Loan repaid in full',
          body: 'Congratulations: your loan is repaid in full.',
          data: { loanId: data.loanId },
        },
        ...(agent
          ? [
              {
                userId: agent,
                kind: 'loan_repaid' as const,
                title: 'A loan you raised was repaid',
                body: 'A loan you raised is repaid in full.',
                data: { loanId: data.loanId, studentId: data.studentId },
              },
            ]
          : []),
      ],
      mails: [],
    };
  },

  loanOverdue(data: EventData<'loan.overdue@1'>, context: PlanContext): Plan {
    const overdue = formatMoney(data.overdue);
    const agent = agentOf(context, data.studentId);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'loan_overdue',
          title: 'A repayment is overdue',
          body: `Instalment ${data.installment} (${overdue}) was due on ${data.dueDate}.`,
          data: { loanId: data.loanId, installment: data.installment, dueDate: data.dueDate },
        },
        ...(agent
          ? [
              {
                userId: agent,
                kind: 'loan_overdue' as const,
                title: 'A loan you raised is overdue',
                body: `Instalment ${data.installment} (${overdue}) was due on ${data.dueDate}.`,
                data: { loanId: data.loanId, studentId: data.studentId, installment: data.installment },
              },
            ]
          : []),
      ],
      mails: [
        {
          template: 'loan_overdue',
          userId: data.studentId,
          loanId: data.loanId,
          installment: data.installment,
          dueDate: data.dueDate,
          overdue: data.overdue,
        },
      ],
    };
  },
};
