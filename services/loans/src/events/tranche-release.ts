import { type EventHandler, emitEvent } from '@bonding/kit';
import { moveLoan, selectLoans } from '../db/loans.js';
import type { LoansDatabase } from '../db/schema.js';
import { minorUnits } from '../domain/money.js';
import { calendarDate, currentBusinessDate } from '../lending/business-date.js';
import { moveTranche, selectTranches } from '../lending/tranches.js';
import type { LoansMetrics } from '../metrics.js';
import { disburseDaily, disburseLegacy, latestApproval } from './disbursement.js';

/**
 * The loans side of a tranche's release (docs/lending-model.md, "Tranches"). Both handlers run in the
 * inbox's transaction and act only on a tranche still RELEASING, so a redelivered or repeated answer
 * changes nothing. The first release disburses the loan (DISBURSED, and on daily interest its phase);
 * later ones add their amount to the principal interest accrues on.
 */
export function trancheReleasedHandler(
  metrics: LoansMetrics,
  businessTimeZone: string,
): EventHandler<'tranche.released@1', LoansDatabase> {
  return async (event, trx, { logger, afterCommit }) => {
    const { loanId, trancheId, tuitionTransferId, upkeepTransferId, tuition, upkeep } = event.data;
    const loan = await selectLoans(trx).where('id', '=', loanId).forUpdate().executeTakeFirst();
    const tranche = await selectTranches(trx).where('id', '=', trancheId).forUpdate().executeTakeFirst();
    if (!loan || tranche?.loan_id !== loanId) {
      logger.warn({ loanId, trancheId }, 'release of a tranche this service does not know; ignored');
      return;
    }
    const at = event.occurredAt;
    const today = await currentBusinessDate(trx, calendarDate(at, businessTimeZone), at);
    const released = await moveTranche(
      trx,
      tranche,
      ['RELEASING'],
      'RELEASED',
      { released_on: today, tuition_transfer_id: tuitionTransferId, upkeep_transfer_id: upkeepTransferId },
      at,
    );
    if (!released) {
      logger.info({ loanId, trancheId, status: tranche.status }, 'tranche already past RELEASING; ignored');
      return;
    }
    const amount = minorUnits(tuition.amountMinor) + minorUnits(upkeep.amountMinor);
    const transferId = (upkeepTransferId ?? tuitionTransferId) as string;
    if (loan.status === 'APPROVED') {
      const approvedAt = await latestApproval(trx, loan.id);
      if (loan.interest_method === 'daily') {
        await disburseDaily(trx, loan, transferId, at, today, amount);
      } else {
        await disburseLegacy(trx, loan, transferId, at, today);
      }
      const money = { amountMinor: amount.toString(), currency: loan.currency };
      await emitEvent(
        trx,
        {
          type: 'loan.disbursed',
          version: 1,
          data: { loanId, studentId: loan.student_id, transferId, amount: money },
        },
        { now: at },
      );
      afterCommit(() => {
        metrics.disbursements.inc({ result: 'disbursed' });
        if (approvedAt)
          metrics.disbursementLag.observe(Math.max(0, at.getTime() - approvedAt.getTime()) / 1000);
      });
    } else if (loan.status === 'DISBURSED' && loan.interest_method === 'daily') {
      await trx
        .updateTable('loans')
        .set((eb) => ({
          principal_outstanding: eb('principal_outstanding', '+', amount.toString()),
          version: loan.version + 1,
          updated_at: at,
        }))
        .where('id', '=', loan.id)
        .execute();
    } else {
      // Paid out for a loan that can no longer take it: the money moved, so the books must say so.
      logger.error({ loanId, trancheId, status: loan.status }, 'tranche released for a loan not open to it');
    }
    afterCommit(() => metrics.disbursed.inc({ currency: loan.currency }, Number(amount)));
    logger.info({ loanId, trancheId, number: tranche.number }, 'tranche released');
  };
}

/** tranche.releaseFailed → RELEASE_FAILED with the ledger's reason; a first release fails the loan's disbursement. */
export function trancheReleaseFailedHandler(
  metrics: LoansMetrics,
): EventHandler<'tranche.releaseFailed@1', LoansDatabase> {
  return async (event, trx, { logger, afterCommit }) => {
    const { loanId, trancheId, reason } = event.data;
    const loan = await selectLoans(trx).where('id', '=', loanId).forUpdate().executeTakeFirst();
    const tranche = await selectTranches(trx).where('id', '=', trancheId).forUpdate().executeTakeFirst();
    if (!loan || tranche?.loan_id !== loanId) {
      logger.warn({ loanId, trancheId }, 'failed release of a tranche this service does not know; ignored');
      return;
    }
    const at = event.occurredAt;
    const failed = await moveTranche(
      trx,
      tranche,
      ['RELEASING'],
      'RELEASE_FAILED',
      { failure_reason: reason },
      at,
    );
    if (!failed) return;
    if (loan.status === 'APPROVED') {
      await moveLoan(trx, loan, {
        action: 'failDisbursement',
        actorId: null,
        reason,
        now: at,
        set: { failure_reason: reason },
      });
    }
    afterCommit(() => metrics.disbursements.inc({ result: 'failed' }));
    logger.warn({ loanId, trancheId, reason }, 'tranche release failed');
  };
}
