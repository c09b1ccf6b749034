import { type EventHandler, emitEvent } from '@bonding/kit';
import type { Transaction } from 'kysely';
import { moveLoan, selectLoans } from '../db/loans.js';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import { phaseOn } from '../domain/lending/study-phases.js';
import { minorUnits } from '../domain/money.js';
import { buildSchedule } from '../domain/schedule.js';
import { calendarDate, currentBusinessDate } from '../lending/business-date.js';
import { insertRepaymentSchedule } from '../lending/loan-day.js';
import { announceRepaymentStart } from '../lending/repayment-started.js';
import type { LoansMetrics } from '../metrics.js';

/**
 * The loans side of the disbursement saga (DESIGN §4). Both handlers run in
 * the inbox's transaction, so a redelivered event has no second effect; and
 * they act only on an APPROVED loan, so an outcome that arrives for a loan
 * already past that step (a repeat transfer.completed the ledger sends for a
 * loan it had paid) changes nothing. Metrics are observed after the commit, so
 * each outcome is counted once, by the replica that applied it.
 */

/** transfer.completed of kind disbursement → DISBURSED, the real schedule, loan.disbursed. */
export function transferCompletedHandler(
  metrics: LoansMetrics,
  businessTimeZone: string,
): EventHandler<'transfer.completed@1', LoansDatabase> {
  return async (event, trx, { logger, afterCommit }) => {
    const { purpose, loanId, transferId, amount } = event.data;
    // Repayments are recorded when loans itself asks the ledger; other transfers are not ours.
    if (purpose !== 'disbursement' || loanId === null) return;
    const loan = await selectLoans(trx).where('id', '=', loanId).forUpdate().executeTakeFirst();
    if (!loan) {
      logger.warn({ loanId, transferId }, 'disbursement for a loan this service does not know; ignored');
      return;
    }
    if (loan.status !== 'APPROVED') {
      logger.info(
        { loanId, status: loan.status, transferId },
        'disbursement outcome for a loan past APPROVED; ignored',
      );
      return;
    }
    const disbursedAt = event.occurredAt;
    const approvedAt = await latestApproval(trx, loan.id);
    // Value-dated on the business date, as every payment and decision is.
    const disbursedOn = await currentBusinessDate(
      trx,
      calendarDate(disbursedAt, businessTimeZone),
      disbursedAt,
    );
    const moved =
      loan.interest_method === 'daily'
        ? await disburseDaily(trx, loan, transferId, disbursedAt, disbursedOn, minorUnits(loan.principal))
        : await disburseLegacy(trx, loan, transferId, disbursedAt, disbursedOn);
    await emitEvent(
      trx,
      {
        type: 'loan.disbursed',
        version: 1,
        data: { loanId: loan.id, studentId: loan.student_id, transferId, amount },
      },
      { now: disbursedAt },
    );
    afterCommit(() => {
      metrics.disbursements.inc({ result: 'disbursed' });
      metrics.disbursed.inc({ currency: amount.currency }, Number(amount.amountMinor));
      // Clocks of two services: a small negative difference is skew, not time travel.
      if (approvedAt) {
        metrics.disbursementLag.observe(Math.max(0, disbursedAt.getTime() - approvedAt.getTime()) / 1000);
      }
    });
    logger.info({ loanId, transferId, status: moved.status }, 'loan disbursed');
  };
}

/** A legacy loan repays on the annuity schedule built here, from the disbursement's business date. */
export async function disburseLegacy(
  trx: Trx,
  loan: LoanRow,
  transferId: string,
  disbursedAt: Date,
  disbursedOn: string,
) {
  const moved = await moveLoan(trx, loan, {
    action: 'disburse',
    actorId: null,
    now: disbursedAt,
    set: {
      disbursed_at: disbursedAt,
      disbursement_transfer_id: transferId,
      failure_reason: null,
      disbursed_on: disbursedOn,
      phase: 'REPAYMENT',
    },
  });
  const schedule = buildSchedule(
    {
      principal: minorUnits(loan.principal),
      annualRateBps: loan.annual_rate_bps,
      termMonths: loan.term_months,
      gracePeriodMonths: loan.grace_period_months,
    },
    disbursedOn,
  );
  await trx
    .insertInto('instalments')
    .values(
      schedule.map((i) => ({
        loan_id: loan.id,
        number: i.number,
        due_date: i.dueDate,
        principal_due: i.principal.toString(),
        interest_due: i.interest.toString(),
        principal_paid: '0',
        interest_paid: '0',
        overdue_at: null,
      })),
    )
    .execute();
  return moved;
}

/**
 * A daily-interest loan is value-dated on the business date: its phase comes from its study terms, interest
 * accrues on `amount` (the principal, or the first tranche) from that date's close of business on, and the
 * schedule waits for repayment to start (at once only when studies and grace are already over).
 */
export async function disburseDaily(
  trx: Trx,
  loan: LoanRow,
  transferId: string,
  disbursedAt: Date,
  disbursedOn: string,
  amount: bigint,
) {
  if (loan.study_end_date === null || loan.grace_months_after_study === null) {
    throw new Error(`loan ${loan.id} is on daily interest without study terms`);
  }
  const phase = phaseOn(disbursedOn, {
    disbursedOn,
    studyEndDate: loan.study_end_date,
    graceMonthsAfterStudy: loan.grace_months_after_study,
  });
  const moved = await moveLoan(trx, loan, {
    action: 'disburse',
    actorId: null,
    now: disbursedAt,
    set: {
      disbursed_at: disbursedAt,
      disbursement_transfer_id: transferId,
      failure_reason: null,
      disbursed_on: disbursedOn,
      phase,
      principal_outstanding: amount.toString(),
      accrued_interest: '0',
      subsidy: '0',
      interest_carry: '0',
      accrued_through: null,
    },
  });
  if (phase === 'REPAYMENT') {
    const schedule = await insertRepaymentSchedule(trx, loan, amount, 0n, disbursedOn);
    await announceRepaymentStart(trx, loan, schedule, disbursedOn, disbursedAt);
  }
  return moved;
}

type Trx = Transaction<LoansDatabase>;

/** When the loan last became APPROVED (its approval, or the retry after a failed disbursement). */
export async function latestApproval(
  trx: Transaction<LoansDatabase>,
  loanId: string,
): Promise<Date | undefined> {
  const row = await trx
    .selectFrom('loan_history')
    .select((eb) => eb.fn.max('occurred_at').as('at'))
    .where('loan_id', '=', loanId)
    .where('to_status', '=', 'APPROVED')
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : undefined;
}

/** disbursement.failed → DISBURSEMENT_FAILED with the ledger's reason, for an admin to fix and retry. */
export function disbursementFailedHandler(
  metrics: LoansMetrics,
): EventHandler<'disbursement.failed@1', LoansDatabase> {
  return async (event, trx, { logger, afterCommit }) => {
    const { loanId, reason } = event.data;
    const loan = await trx
      .selectFrom('loans')
      .selectAll()
      .where('id', '=', loanId)
      .forUpdate()
      .executeTakeFirst();
    if (!loan) {
      logger.warn({ loanId }, 'failed disbursement of a loan this service does not know; ignored');
      return;
    }
    if (loan.status !== 'APPROVED') {
      logger.info({ loanId, status: loan.status }, 'disbursement failure for a loan past APPROVED; ignored');
      return;
    }
    await moveLoan(trx, loan, {
      action: 'failDisbursement',
      actorId: null,
      reason,
      now: event.occurredAt,
      set: { failure_reason: reason },
    });
    afterCommit(() => metrics.disbursements.inc({ result: 'failed' }));
    logger.warn({ loanId, reason }, 'disbursement failed');
  };
}
