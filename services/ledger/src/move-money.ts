import { DomainError, type IdempotencyClaim } from '@bonding/kit';
import { type Posted, postTransfer, type TransferOrder } from './db/post-transfer.js';
import type { LedgerDeps } from './deps.js';
import { toTransfer } from './routes/schemas.js';

export const transferLocation = (id: string) => `/api/v1/transfers/${id}`;

/**
 * Posts a transfer for an idempotent request: the 201 response is recorded
 * against the request's Idempotency-Key inside the transfer's own transaction,
 * and the outcome is counted.
 */
export async function moveMoney(
  deps: Pick<LedgerDeps, 'db' | 'now' | 'ledgerMetrics'>,
  order: TransferOrder,
  claim: IdempotencyClaim,
): Promise<Posted> {
  const { ledgerMetrics } = deps;
  try {
    const posted = await postTransfer(deps.db, order, {
      now: deps.now,
      onLockRetry: () => ledgerMetrics.lockRetries.inc(),
      beforeCommit: (trx, transfer) =>
        claim.complete(trx, {
          status: 201,
          body: toTransfer(transfer),
          headers: { Location: transferLocation(transfer.id) },
        }),
    });
    if (!posted.replayed) {
      ledgerMetrics.transfers.inc({ kind: order.kind, result: 'completed' });
      ledgerMetrics.transferred.inc({ currency: order.currency, kind: order.kind }, Number(order.amount));
    }
    return posted;
  } catch (error) {
    ledgerMetrics.transfers.inc({
      kind: order.kind,
      result: error instanceof DomainError && error.status < 500 ? error.code : 'error',
    });
    throw error;
  }
}
