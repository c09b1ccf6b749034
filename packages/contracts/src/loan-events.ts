import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { Id, Money } from './fields.js';

/** Loan events are ordered per loan: a consumer never sees a loan repaid before it was disbursed. */
const byLoan = (data: { loanId: string }) => data.loanId;

export const loanCreatedV1 = defineEvent({
  type: 'loan.created',
  version: 1,
  description: 'A loan application was made: by the student, or raised for them by an agent or admin.',
  shape: { loanId: Id, studentId: Id, productId: Id, createdBy: Id, principal: Money },
  aggregate: byLoan,
});

export const loanApprovedV1 = defineEvent({
  type: 'loan.approved',
  version: 1,
  description: "An admin approved a loan; the ledger disburses the principal to the student's wallet.",
  shape: { loanId: Id, studentId: Id, approvedBy: Id, principal: Money },
  aggregate: byLoan,
});

export const loanRejectedV1 = defineEvent({
  type: 'loan.rejected',
  version: 1,
  description: 'An admin rejected a loan application.',
  shape: {
    loanId: Id,
    studentId: Id,
    rejectedBy: Id,
    /** The admin's note to the student, shown in their notification. */
    reason: z.string().max(500).nullable(),
  },
  aggregate: byLoan,
});

export const loanCancelledV1 = defineEvent({
  type: 'loan.cancelled',
  version: 1,
  description: 'A loan application was withdrawn before it was decided.',
  shape: { loanId: Id, studentId: Id, cancelledBy: Id },
  aggregate: byLoan,
});

export const loanDisbursedV1 = defineEvent({
  type: 'loan.disbursed',
  version: 1,
  description: "The principal reached the student's wallet; the repayment schedule runs from now.",
  shape: { loanId: Id, studentId: Id, transferId: Id, amount: Money },
  aggregate: byLoan,
});

export const repaymentReceivedV1 = defineEvent({
  type: 'repayment.received',
  version: 1,
  description: 'A repayment was applied to a loan.',
  shape: { loanId: Id, studentId: Id, repaymentId: Id, transferId: Id, amount: Money, outstanding: Money },
  aggregate: byLoan,
});

export const loanRepaidV1 = defineEvent({
  type: 'loan.repaid',
  version: 1,
  description: 'A loan was repaid in full.',
  shape: { loanId: Id, studentId: Id },
  aggregate: byLoan,
});

export const loanOverdueV1 = defineEvent({
  type: 'loan.overdue',
  version: 1,
  description: 'An instalment passed its due date unpaid.',
  shape: {
    loanId: Id,
    studentId: Id,
    installment: z.number().int().min(1),
    dueDate: z.iso.date(),
    overdue: Money,
  },
  aggregate: byLoan,
});

/** A business date, YYYY-MM-DD: the lending domain's day, never an instant. */
const BusinessDate = z.iso.date();
const Phase = z.enum(['IN_SCHOOL', 'GRACE', 'REPAYMENT']);

export const loanPhaseChangedV1 = defineEvent({
  type: 'loan.phaseChanged',
  version: 1,
  description:
    'A disbursed student loan moved to its next phase (IN_SCHOOL → GRACE when studies end, GRACE → REPAYMENT ' +
    'when the grace period is over), from `businessDate` on. With REPAYMENT, its schedule exists.',
  shape: { loanId: Id, studentId: Id, from: Phase, to: Phase, businessDate: BusinessDate },
  aggregate: byLoan,
});

export const loanInterestCapitalisedV1 = defineEvent({
  type: 'loan.interestCapitalised',
  version: 1,
  description:
    'Interest accrued while studying and in grace was added to the principal when repayment started ' +
    '(products whose interest during study is capitalised).',
  shape: { loanId: Id, studentId: Id, amount: Money, businessDate: BusinessDate },
  aggregate: byLoan,
});

export const loanRepaymentStartedV1 = defineEvent({
  type: 'loan.repaymentStarted',
  version: 1,
  description:
    'A daily-interest loan entered REPAYMENT on `businessDate` and its schedule was built: `instalments` ' +
    'monthly instalments repay `principal`, the first of them (`instalment`, its total) due on `firstDueDate`.',
  shape: {
    loanId: Id,
    studentId: Id,
    businessDate: BusinessDate,
    firstDueDate: BusinessDate,
    instalment: Money,
    instalments: z.number().int().min(1),
    principal: Money,
  },
  aggregate: byLoan,
});

export const loanInstalmentDueSoonV1 = defineEvent({
  type: 'loan.instalmentDueSoon',
  version: 1,
  description:
    'An instalment falls due within the reminder window (DUE_REMINDER_DAYS) with `amountDue` of it unpaid; ' +
    'sent once per instalment, by close of business.',
  shape: {
    loanId: Id,
    studentId: Id,
    installment: z.number().int().min(1),
    dueDate: BusinessDate,
    amountDue: Money,
  },
  aggregate: byLoan,
});

export const lendingCloseOfBusinessCompletedV1 = defineEvent({
  type: 'lending.closeOfBusinessCompleted',
  version: 1,
  description:
    'Close of business for `businessDate` went through every active loan: accrual, phase moves, schedules. ' +
    '`failures` loans could not be processed and are retried by the next run for that date.',
  shape: {
    businessDate: BusinessDate,
    loansProcessed: z.number().int().min(0),
    failures: z.number().int().min(0),
  },
  aggregate: () => 'close-of-business',
});
