import { type EventHandler, emitEvent } from '@bonding/kit';
import { releaseTranche } from '../db/release-tranche.js';
import type { LedgerDatabase, TransferRow } from '../db/schema.js';
import type { LedgerDeps } from '../deps.js';
import { minorUnits } from '../domain/money.js';

const moved = (leg: TransferRow | null, currency: string) =>
  leg ? { amountMinor: leg.amount, currency: leg.currency } : { amountMinor: '0', currency };

/**
 * The ledger's step of the release saga (docs/ledger.md): `tranche.releaseRequested` → both legs in the
 * inbox's transaction, then `tranche.released` with their transfer ids, or `tranche.releaseFailed` with a
 * reason and nothing moved. A repeated request for a released tranche is answered `tranche.released`
 * again with the same transfers, so the saga converges however often loans asks. The legs emit no
 * transfer.completed: tranche.released carries them, and loans would take a transfer.completed of
 * purpose disbursement for a v1 loan's disbursement.
 */
export function trancheReleaseRequestedHandler(
  deps: Pick<LedgerDeps, 'now' | 'ledgerMetrics'>,
): EventHandler<'tranche.releaseRequested@1', LedgerDatabase> {
  return async (event, trx, { logger, afterCommit }) => {
    const { loanId, studentId, trancheId, number, tuition, upkeep } = event.data;
    const outcome = await releaseTranche(trx, event.data, { now: deps.now });
    const now = deps.now();
    const count = (result: string) => deps.ledgerMetrics.transfers.inc({ kind: 'disbursement', result });

    if (!outcome.released) {
      logger.warn({ loanId, trancheId, reason: outcome.reason }, 'tranche release failed');
      await emitEvent(
        trx,
        {
          type: 'tranche.releaseFailed',
          version: 1,
          data: { loanId, studentId, trancheId, number, reason: outcome.reason },
        },
        { now },
      );
      afterCommit(() => count(outcome.reason));
      return;
    }
    if (!outcome.posted) logger.info({ loanId, trancheId }, 'tranche already released; announced again');
    await emitEvent(
      trx,
      {
        type: 'tranche.released',
        version: 1,
        data: {
          loanId,
          studentId,
          trancheId,
          number,
          tuitionTransferId: outcome.tuition?.id ?? null,
          upkeepTransferId: outcome.upkeep?.id ?? null,
          // What moved, which a repeated request with other amounts does not change.
          tuition: moved(outcome.tuition, tuition.currency),
          upkeep: moved(outcome.upkeep, upkeep.currency),
        },
      },
      { now },
    );
    if (!outcome.posted) return;
    // Each leg is a disbursement in the metrics, as each is in statements and transfer lists.
    afterCommit(() => {
      for (const leg of [outcome.tuition, outcome.upkeep]) {
        if (!leg) continue;
        count('completed');
        deps.ledgerMetrics.transferred.inc(
          { currency: leg.currency, kind: 'disbursement' },
          Number(minorUnits(leg.amount)),
        );
      }
    });
  };
}
