import type { EventHandlerContext, EventHandlers } from '@bonding/kit';
import type { Transaction } from 'kysely';
import { activeAdmins, setDirectoryStatus, upsertDirectoryEntry } from '../db/directory.js';
import {
  consentedGuarantors,
  forgetGuarantors,
  forgetLoanGuarantors,
  markConsented,
  rememberGuarantor,
} from '../db/guarantor-contacts.js';
import { raisedByOf, rememberLoan } from '../db/loan-parties.js';
import { enqueueMails } from '../db/mail-outbox.js';
import { writeNotices } from '../db/notifications.js';
import type { NotificationsDatabase } from '../db/schema.js';
import type { NotificationsDeps } from '../deps.js';
import { guarantorPlans } from '../domain/guarantor-notices.js';
import { type Plan, plans } from '../domain/notices.js';
import { tranchePlans } from '../domain/tranche-notices.js';

type Trx = Transaction<NotificationsDatabase>;

/**
 * Every event of DESIGN §4, turned into notifications and e-mails for the
 * people concerned (the rules are in domain/notices.ts), inside the inbox's
 * transaction: a redelivered event finds its id there and writes nothing twice.
 * Identity's events also keep the user directory. The kit's own user.disabled
 * handler (token revocation) runs before the one here.
 */
export function notificationHandlers(deps: NotificationsDeps): EventHandlers<NotificationsDatabase> {
  async function apply(plan: Plan, eventId: string, trx: Trx, context: EventHandlerContext): Promise<void> {
    const now = deps.now();
    const written = await writeNotices(trx, plan.notices, { eventId, now });
    const mailIds = await enqueueMails(trx, plan.mails, { eventId, now });
    if (mailIds.length > 0) {
      context.logger.info({ mailIds, sending: deps.mail !== undefined }, 'mail queued');
    }
    context.afterCommit(() => {
      for (const row of written) deps.notificationMetrics.notificationsCreated.inc({ kind: row.kind });
      // This replica's streams hear of it now; the others on their next poll.
      if (written.length > 0) deps.streams.wake();
      if (mailIds.length > 0) deps.mail?.wake();
    });
  }
  const context = (raisedBy: string | null = null, admins: readonly string[] = []) => ({ raisedBy, admins });

  return {
    'user.registered@1': async (event, trx, ctx) => {
      await upsertDirectoryEntry(trx, event.data, event.occurredAt);
      const pendingAgent = event.data.role === 'agent' && event.data.status === 'pending';
      const admins = pendingAgent ? await activeAdmins(trx) : [];
      await apply(plans.userRegistered(event.data, context(null, admins)), event.id, trx, ctx);
    },
    'user.updated@1': async (event, trx) => {
      await upsertDirectoryEntry(trx, event.data, event.occurredAt);
    },
    'agent.approved@1': async (event, trx, ctx) => {
      await apply(plans.agentApproved(event.data), event.id, trx, ctx);
    },
    'user.disabled@1': async (event, trx) => {
      await setDirectoryStatus(trx, event.data.userId, 'disabled', event.occurredAt);
    },
    'user.emailVerificationRequested@1': async (event, trx, ctx) => {
      await apply(plans.emailVerificationRequested(event.data), event.id, trx, ctx);
    },
    'user.passwordResetRequested@1': async (event, trx, ctx) => {
      await apply(plans.passwordResetRequested(event.data), event.id, trx, ctx);
    },
    'user.passwordChanged@1': async (event, trx, ctx) => {
      await apply(plans.passwordChanged(event.data), event.id, trx, ctx);
    },
    'user.emailChangeRequested@1': async (event, trx, ctx) => {
      await apply(plans.emailChangeRequested(event.data), event.id, trx, ctx);
    },
    'user.emailChanged@1': async (event, trx, ctx) => {
      await apply(plans.emailChanged(event.data), event.id, trx, ctx);
    },
    'user.twoFactorChanged@1': async (event, trx, ctx) => {
      await apply(plans.twoFactorChanged(event.data), event.id, trx, ctx);
    },
    'loan.created@1': async (event, trx, ctx) => {
      const { loanId, studentId, createdBy } = event.data;
      await rememberLoan(trx, { loanId, studentId, raisedBy: createdBy }, event.occurredAt);
      await apply(plans.loanCreated(event.data), event.id, trx, ctx);
    },
    'loan.approved@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanApproved(event.data, context(raisedBy)), event.id, trx, ctx);
    },
    // Version 2 (a loan released tranche by tranche) tells the same people the same thing.
    'loan.approved@2': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanApproved(event.data, context(raisedBy)), event.id, trx, ctx);
    },
    'loan.rejected@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanRejected(event.data, context(raisedBy)), event.id, trx, ctx);
      // A loan that will never be paid out needs no guarantors: their addresses go.
      await forgetLoanGuarantors(trx, event.data.loanId);
    },
    'loan.cancelled@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanCancelled(event.data, context(raisedBy)), event.id, trx, ctx);
      await forgetLoanGuarantors(trx, event.data.loanId);
    },
    'loan.disbursed@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanDisbursed(event.data, context(raisedBy)), event.id, trx, ctx);
      const guarantors = await consentedGuarantors(trx, event.data.loanId);
      await apply(guarantorPlans.disbursed(event.data, guarantors), event.id, trx, ctx);
    },
    'loan.phaseChanged@1': async (event, trx, ctx) => {
      await apply(plans.loanPhaseChanged(event.data), event.id, trx, ctx);
    },
    'loan.interestCapitalised@1': async (event, trx, ctx) => {
      await apply(plans.interestCapitalised(event.data), event.id, trx, ctx);
    },
    'loan.repaymentStarted@1': async (event, trx, ctx) => {
      await apply(plans.repaymentStarted(event.data), event.id, trx, ctx);
    },
    'loan.instalmentDueSoon@1': async (event, trx, ctx) => {
      await apply(plans.instalmentDueSoon(event.data), event.id, trx, ctx);
    },
    'disbursement.failed@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      const admins = await activeAdmins(trx);
      await apply(plans.disbursementFailed(event.data, context(raisedBy, admins)), event.id, trx, ctx);
    },
    'tranche.certified@1': async (event, trx, ctx) => {
      await apply(tranchePlans.certified(event.data), event.id, trx, ctx);
    },
    'tranche.released@1': async (event, trx, ctx) => {
      await apply(tranchePlans.released(event.data), event.id, trx, ctx);
    },
    'tranche.releaseFailed@1': async (event, trx, ctx) => {
      const admins = await activeAdmins(trx);
      await apply(tranchePlans.releaseFailed(event.data, context(null, admins)), event.id, trx, ctx);
    },
    'tranche.lapsed@1': async (event, trx, ctx) => {
      await apply(tranchePlans.lapsed(event.data), event.id, trx, ctx);
    },
    'loan.guarantorRequested@1': async (event, trx, ctx) => {
      await rememberGuarantor(trx, event.data, event.occurredAt);
      await apply(guarantorPlans.requested(event.data), event.id, trx, ctx);
    },
    'loan.guarantorConsented@1': async (event, trx, ctx) => {
      await markConsented(trx, event.data.guarantorId);
      await apply(guarantorPlans.consented(event.data), event.id, trx, ctx);
    },
    'loan.guarantorDeclined@1': async (event, trx, ctx) => {
      await forgetGuarantors(trx, [event.data.guarantorId]);
      await apply(guarantorPlans.declined(event.data), event.id, trx, ctx);
    },
    'loan.guarantorsVoided@1': async (event, trx) => {
      await forgetGuarantors(trx, event.data.guarantorIds);
    },
    'transfer.completed@1': async (event, trx, ctx) => {
      await apply(plans.transferCompleted(event.data), event.id, trx, ctx);
    },
    'repayment.received@1': async (event, trx, ctx) => {
      await apply(plans.repaymentReceived(event.data), event.id, trx, ctx);
    },
    'loan.repaid@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanRepaid(event.data, context(raisedBy)), event.id, trx, ctx);
      const guarantors = await consentedGuarantors(trx, event.data.loanId);
      await apply(guarantorPlans.repaid(event.data, guarantors), event.id, trx, ctx);
      await forgetLoanGuarantors(trx, event.data.loanId);
    },
    'loan.overdue@1': async (event, trx, ctx) => {
      const raisedBy = await raisedByOf(trx, event.data.loanId);
      await apply(plans.loanOverdue(event.data, context(raisedBy)), event.id, trx, ctx);
    },
  };
}
