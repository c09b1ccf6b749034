import { type EventHandler, emitEvent, uuidv7 } from '@bonding/kit';
import { findSystemAccount, openWalletIfMissing } from '../db/accounts.js';
import { KeyAlreadyUsed, postInTransaction, transferCompleted } from '../db/post-transfer.js';
import { type LedgerDatabase, PLATFORM_INITIATOR } from '../db/schema.js';
import type { LedgerDeps } from '../deps.js';
import { MAX_MINOR_UNITS, minorUnits } from '../domain/money.js';
import { TransferRejected } from '../errors.js';

/**
 * The ledger's step of the disbursement saga (DESIGN §4): `loan.approved` →
 * the principal moves from the funding account of its currency to the
 * student's wallet in that currency (opened if needed), keyed by the loan id,
 * and `transfer.completed` goes out — or, when the ledger cannot (a frozen or
 * closed wallet, no funding account), `disbursement.failed` with the reason
 * and nothing moves. It all runs in the inbox's transaction, so a redelivered
 * event has no second effect; and the loan id as key means a loan is never
 * disbursed twice, whichever way (event or internal call) the money moved.
 */
export function loanApprovedHandler(
  deps: Pick<LedgerDeps, 'now' | 'ledgerMetrics'>,
): EventHandler<'loan.approved@1', LedgerDatabase> {
  return async (event, trx, { logger }) => {
    const { loanId, studentId, principal } = event.data;
    const now = deps.now();
    const count = (result: string) => deps.ledgerMetrics.transfers.inc({ kind: 'disbursement', result });
    const fail = async (reason: string) => {
      count(reason);
      logger.warn({ loanId, reason }, 'disbursement failed');
      await emitEvent(
        trx,
        { type: 'disbursement.failed', version: 1, data: { loanId, studentId, amount: principal, reason } },
        { now },
      );
    };

    const amount = minorUnits(principal.amountMinor);
    if (amount <= 0n || amount > MAX_MINOR_UNITS) return fail('invalid_amount');
    const funding = await findSystemAccount(trx, 'funding', principal.currency);
    if (!funding) return fail('no_funding_account');
    const wallet = await openWalletIfMissing(trx, {
      id: uuidv7(now.getTime()),
      ownerId: studentId,
      currency: principal.currency,
      now,
    });
    try {
      await postInTransaction(
        trx,
        {
          kind: 'disbursement',
          fromAccountId: funding.id,
          toAccountId: wallet.id,
          amount,
          currency: principal.currency,
          reference: null,
          loanId,
          initiator: PLATFORM_INITIATOR,
          idempotencyKey: loanId,
        },
        { now: deps.now },
      );
      count('completed');
      deps.ledgerMetrics.transferred.inc(
        { currency: principal.currency, kind: 'disbursement' },
        Number(amount),
      );
    } catch (error) {
      if (error instanceof TransferRejected) return fail(error.code);
      if (!(error instanceof KeyAlreadyUsed)) throw error;
      // Already disbursed (an earlier event, or the internal route): say so again, move nothing.
      const existing = await trx
        .selectFrom('transfers')
        .selectAll()
        .where('initiator', '=', PLATFORM_INITIATOR)
        .where('idempotency_key', '=', loanId)
        .executeTakeFirstOrThrow();
      logger.info({ loanId, transferId: existing.id }, 'loan already disbursed');
      await emitEvent(trx, transferCompleted(existing), { now });
    }
  };
}

/**
 * `loan.approved@2` moves no money: a loan approved with a tranche plan is released tranche by tranche
 * (tranche.releaseRequested), so paying its principal here would pay every term at approval.
 */
export function loanApprovedV2Handler(): EventHandler<'loan.approved@2', LedgerDatabase> {
  return async (event, _trx, { logger }) => {
    logger.info(
      { loanId: event.data.loanId },
      'loan approved with a tranche plan; released tranche by tranche',
    );
  };
}
