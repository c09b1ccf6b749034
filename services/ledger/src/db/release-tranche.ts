import { uuidv7 } from '@bonding/kit';
import { sql, type Transaction } from 'kysely';
import { type LegName, planRelease, type ReleaseRequest, refusalReason } from '../domain/tranche-release.js';
import { TransferRejected } from '../errors.js';
import { findSystemAccount, openWalletIfMissing } from './accounts.js';
import { openInstitutionAccountIfMissing } from './institution-accounts.js';
import { KeyAlreadyUsed, lockAccounts, postInTransaction } from './post-transfer.js';
import { type AccountRow, type LedgerDatabase, PLATFORM_INITIATOR, type TransferRow } from './schema.js';

type Trx = Transaction<LedgerDatabase>;

export interface TrancheRelease extends ReleaseRequest {
  loanId: string;
  studentId: string;
  trancheId: string;
}

export type ReleaseOutcome =
  | {
      released: true;
      tuition: TransferRow | null;
      upkeep: TransferRow | null;
      /** false: an earlier request had already released the tranche, and nothing moved now. */
      posted: boolean;
    }
  | { released: false; reason: string };

/** Each leg's key in the platform's key space: a tranche's tuition and upkeep each move once, ever. */
export const legKey = (trancheId: string, leg: LegName) => `${trancheId}:${leg}`;

/**
 * The legs an earlier request posted, if any. `lock` reads them FOR UPDATE, which sees what committed after
 * this transaction's snapshot.
 */
async function postedLegs(trx: Trx, trancheId: string, options: { lock?: boolean } = {}) {
  const keys = { tuition: legKey(trancheId, 'tuition'), upkeep: legKey(trancheId, 'upkeep') };
  const query = trx
    .selectFrom('transfers')
    .selectAll()
    .where('initiator', '=', PLATFORM_INITIATOR)
    .where('idempotency_key', 'in', [keys.tuition, keys.upkeep]);
  const rows = await (options.lock ? query.forUpdate() : query).execute();
  if (rows.length === 0) return undefined;
  const leg = (key: string) => rows.find((row) => row.idempotency_key === key) ?? null;
  return { tuition: leg(keys.tuition), upkeep: leg(keys.upkeep) };
}

/**
 * Releases a tranche inside the caller's transaction (the inbox's): tuition from the currency's funding
 * account to the institution's account, upkeep to the student's wallet, both opened if missing, every
 * account locked in id order before either leg posts. Both legs or neither: a refused leg rolls back to
 * the savepoint taken before anything was written, so not even an account opened for it remains. A
 * tranche released before (whatever has changed since, e.g. a wallet frozen later) is answered with its
 * transfers and moves nothing.
 */
export async function releaseTranche(
  trx: Trx,
  request: TrancheRelease,
  options: { now: () => Date },
): Promise<ReleaseOutcome> {
  const plan = planRelease(request);
  if (!plan.ok) return { released: false, reason: plan.reason };
  // The funding account is locked first, by the transaction's first read: releases of a currency take
  // turns, so two deliveries of one request never race to open the same accounts (two duplicate-key
  // losers would each hold a shared lock on the new row and deadlock taking it for update), and the
  // snapshot of the plain reads below is taken only after a release this one waited for had committed.
  // Opened with its currency, funding is that currency's oldest account: first is also its id order.
  const funding = await findSystemAccount(trx, 'funding', plan.currency, { lock: true });
  if (!funding) return { released: false, reason: 'no_funding_account' };
  const earlier = await postedLegs(trx, request.trancheId);
  if (earlier) return { released: true, ...earlier, posted: false };

  const now = options.now();
  const accounts: AccountRow[] = [funding];
  await sql`savepoint tranche_release`.execute(trx);
  try {
    const legs = [];
    for (const leg of plan.legs) {
      const payee =
        leg.name === 'tuition'
          ? await openInstitutionAccountIfMissing(trx, {
              id: uuidv7(now.getTime()),
              institutionId: leg.institutionId,
              currency: plan.currency,
              now,
            })
          : await openWalletIfMissing(trx, {
              id: uuidv7(now.getTime()),
              ownerId: request.studentId,
              currency: plan.currency,
              now,
            });
      accounts.push(payee);
      legs.push({ ...leg, payee });
    }
    await lockAccounts(
      trx,
      accounts.map((account) => account.id),
    );
    const posted: Record<LegName, TransferRow | null> = { tuition: null, upkeep: null };
    for (const leg of legs) {
      posted[leg.name] = await postInTransaction(
        trx,
        {
          kind: 'disbursement',
          fromAccountId: funding.id,
          toAccountId: leg.payee.id,
          amount: leg.amount,
          currency: plan.currency,
          reference: null,
          loanId: request.loanId,
          initiator: PLATFORM_INITIATOR,
          idempotencyKey: legKey(request.trancheId, leg.name),
        },
        { now: options.now, announce: false },
      );
    }
    return { released: true, ...posted, posted: true };
  } catch (error) {
    if (!(error instanceof TransferRejected || error instanceof KeyAlreadyUsed)) throw error;
    await sql`rollback to savepoint tranche_release`.execute(trx);
    // Only if something above read before the funding lock: a release committed after the snapshot.
    const meanwhile = await postedLegs(trx, request.trancheId, { lock: true });
    if (meanwhile) return { released: true, ...meanwhile, posted: false };
    if (error instanceof KeyAlreadyUsed) throw new Error('a leg key is taken but no transfer holds it');
    const refused = accounts.find((account) => account.id === error.accountId);
    return { released: false, reason: refusalReason(error.rejection, refused?.type) };
  }
}
