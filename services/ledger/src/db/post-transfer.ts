import {
  Conflict,
  emitEvent,
  isRetryableTransactionError,
  retryOnDeadlock,
  ServiceUnavailable,
  uuidv7,
} from '@bonding/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import { minorUnits } from '../domain/money.js';
import { type PostingAccount, planPosting, type TransferKind } from '../domain/posting.js';
import { TransferRejected } from '../errors.js';
import { accountNotFound } from './accounts.js';
import type { AccountRow, LedgerDatabase, TransferRow } from './schema.js';

export interface TransferOrder {
  kind: TransferKind;
  fromAccountId: string;
  toAccountId: string;
  /** Minor units. */
  amount: bigint;
  currency: string;
  reference: string | null;
  loanId: string | null;
  /** Whose key space the idempotency key belongs to: a user id, or 'platform'. */
  initiator: string;
  idempotencyKey: string;
}

export interface PostOptions {
  now: () => Date;
  /** Runs last inside the transaction (e.g. recording the idempotent response), so it commits with it. */
  beforeCommit?: (trx: Transaction<LedgerDatabase>, transfer: TransferRow) => Promise<void>;
  onLockRetry?: (attempt: number) => void;
  /**
   * false: no transfer.completed. A tranche's legs are announced together by tranche.released; a
   * transfer.completed of purpose disbursement would look to loans like a v1 loan's disbursement.
   */
  announce?: boolean;
}

export interface Posted {
  transfer: TransferRow;
  /** The key had already moved this money (its idempotency record was gone): nothing new was posted. */
  replayed: boolean;
}

/** The initiator's key is already on a transfer: nothing was written by this attempt. */
export class KeyAlreadyUsed extends Error {}

const isDuplicateKey = (error: unknown) => (error as { code?: string }).code === 'ER_DUP_ENTRY';

function postingAccount(row: AccountRow): PostingAccount {
  return {
    id: row.id,
    type: row.type,
    currency: row.currency,
    status: row.status,
    balance: minorUnits(row.balance),
  };
}

function sameOrder(transfer: TransferRow, order: TransferOrder): boolean {
  return (
    transfer.kind === order.kind &&
    transfer.debit_account_id === order.fromAccountId &&
    transfer.credit_account_id === order.toAccountId &&
    minorUnits(transfer.amount) === order.amount &&
    transfer.currency === order.currency
  );
}

/**
 * Posts one transfer as one transaction: both account rows locked in id order
 * (so two transfers between the same accounts can never deadlock each other),
 * the rules checked against the locked balances, the two balances set, the
 * transfer and its two entries (debits = credits) written, `transfer.completed`
 * put in the outbox, and `beforeCommit` run. Either all of it commits or none.
 * Deadlock victims and lock-wait timeouts are retried a bounded number of times.
 */
export async function postTransfer(
  db: Kysely<LedgerDatabase>,
  order: TransferOrder,
  options: PostOptions,
): Promise<Posted> {
  let attempts = 0;
  try {
    const transfer = await retryOnDeadlock(() => {
      if (attempts++ > 0) options.onLockRetry?.(attempts - 1);
      return db.transaction().execute((trx) => postInTransaction(trx, order, options));
    });
    return { transfer, replayed: false };
  } catch (error) {
    if (isRetryableTransactionError(error)) {
      // Every try lost a deadlock or timed out waiting: nothing was applied, so the client may retry.
      throw new ServiceUnavailable('database_contention', 'The ledger is busy; retry with the same key.', {
        headers: { 'Retry-After': '1' },
        cause: error,
      });
    }
    if (!(error instanceof KeyAlreadyUsed)) throw error;
  }
  const existing = await db
    .selectFrom('transfers')
    .selectAll()
    .where('initiator', '=', order.initiator)
    .where('idempotency_key', '=', order.idempotencyKey)
    .executeTakeFirstOrThrow();
  if (!sameOrder(existing, order)) {
    throw new Conflict(
      'idempotency_key_reused',
      'This Idempotency-Key already moved money for a different request; use a new key.',
    );
  }
  return { transfer: existing, replayed: true };
}

/**
 * Locks accounts in id order, the one order every transaction takes them in: two that need the same
 * accounts queue instead of deadlocking. A transaction that posts several transfers locks all their
 * accounts first, or it would hold one transfer's accounts while waiting for the next one's.
 */
export function lockAccounts(
  trx: Transaction<LedgerDatabase>,
  ids: readonly string[],
): Promise<AccountRow[]> {
  return trx
    .selectFrom('accounts')
    .selectAll()
    .where('id', 'in', [...new Set(ids)].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * The body of postTransfer, inside a transaction the caller owns (an event
 * handler's): it throws TransferRejected before writing anything, and
 * KeyAlreadyUsed when the initiator's key already moved money.
 */
export async function postInTransaction(
  trx: Transaction<LedgerDatabase>,
  order: TransferOrder,
  options: PostOptions,
): Promise<TransferRow> {
  const locked = await lockAccounts(trx, [order.fromAccountId, order.toAccountId]);
  const from = locked.find((row) => row.id === order.fromAccountId);
  const to = locked.find((row) => row.id === order.toAccountId);
  if (!from) throw accountNotFound(order.fromAccountId);
  if (!to) throw accountNotFound(order.toAccountId);

  const plan = planPosting({
    kind: order.kind,
    from: postingAccount(from),
    to: postingAccount(to),
    amount: order.amount,
    currency: order.currency,
  });
  if (!plan.ok) throw new TransferRejected(plan.code, plan.detail, plan.accountId);

  // Taken after the locks: per account, entry times follow the order the balance changed in.
  const now = options.now();
  const transfer: TransferRow = {
    id: uuidv7(now.getTime()),
    kind: order.kind,
    debit_account_id: from.id,
    credit_account_id: to.id,
    from_user_id: from.owner_id,
    to_user_id: to.owner_id,
    amount: order.amount.toString(),
    currency: order.currency,
    reference: order.reference,
    loan_id: order.loanId,
    initiator: order.initiator,
    idempotency_key: order.idempotencyKey,
    created_at: now,
  };
  try {
    await trx.insertInto('transfers').values(transfer).execute();
  } catch (error) {
    if (isDuplicateKey(error)) throw new KeyAlreadyUsed();
    throw error;
  }
  // Absolute values computed from the locked rows: no arithmetic on the server, so no float on the way.
  // Both rows in one statement (planPosting refuses from = to): a round trip less per transfer.
  await trx
    .updateTable('accounts')
    .set({
      balance: sql<string>`CASE id WHEN ${from.id} THEN ${plan.fromBalanceAfter.toString()} ELSE ${plan.toBalanceAfter.toString()} END`,
      updated_at: now,
    })
    .where('id', 'in', [from.id, to.id])
    .execute();
  await trx
    .insertInto('entries')
    .values([
      {
        transfer_id: transfer.id,
        account_id: from.id,
        direction: 'debit',
        amount: transfer.amount,
        currency: order.currency,
        balance_after: plan.fromBalanceAfter.toString(),
        created_at: now,
      },
      {
        transfer_id: transfer.id,
        account_id: to.id,
        direction: 'credit',
        amount: transfer.amount,
        currency: order.currency,
        balance_after: plan.toBalanceAfter.toString(),
        created_at: now,
      },
    ])
    .execute();
  if (options.announce !== false) await emitEvent(trx, transferCompleted(transfer), { now });
  await options.beforeCommit?.(trx, transfer);
  return transfer;
}

/** The `transfer.completed` event of a transfer: ids and the amount, no personal data. */
export function transferCompleted(transfer: TransferRow) {
  return {
    type: 'transfer.completed' as const,
    version: 1 as const,
    data: {
      transferId: transfer.id,
      purpose: transfer.kind,
      loanId: transfer.loan_id,
      fromAccountId: transfer.debit_account_id,
      toAccountId: transfer.credit_account_id,
      fromUserId: transfer.from_user_id,
      toUserId: transfer.to_user_id,
      amount: { amountMinor: transfer.amount, currency: transfer.currency },
    },
  };
}
