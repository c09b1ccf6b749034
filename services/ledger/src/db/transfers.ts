import { NotFound } from '@bonding/kit';
import { type Kysely, sql } from 'kysely';
import type { TransferKind } from '../domain/posting.js';
import type { LedgerDatabase, TransferRow } from './schema.js';

type Db = Kysely<LedgerDatabase>;

export async function getTransfer(db: Db, id: string): Promise<TransferRow> {
  const row = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw transferNotFound();
  return row;
}

export function transferNotFound(): NotFound {
  return new NotFound('transfer_not_found', 'No transfer with this id, or not one you may see.');
}

export interface TransferFilter {
  /** Transfers with this account on either side. */
  accountId?: string | undefined;
  /** Transfers with this user's account on either side. */
  userId?: string | undefined;
  kind?: TransferKind | undefined;
  limit: number;
  /** The id of the last transfer on the previous page. */
  after?: string | undefined;
}

/**
 * Newest first, by keyset. A filter on one party is two index range scans (one
 * per side of the transfer, each already in id order and cut at the page
 * size), merged: never a scan of other parties' transfers, never OFFSET.
 */
export async function listTransfers(db: Db, filter: TransferFilter): Promise<TransferRow[]> {
  const size = filter.limit + 1;
  const side = (
    column: 'debit_account_id' | 'credit_account_id' | 'from_user_id' | 'to_user_id',
    value: string,
  ) => {
    let query = db
      .selectFrom('transfers')
      .select('id')
      .where(column, '=', value)
      .orderBy('id', 'desc')
      .limit(size);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.after) query = query.where('id', '<', filter.after);
    return query;
  };
  const party = filter.accountId
    ? ([side('debit_account_id', filter.accountId), side('credit_account_id', filter.accountId)] as const)
    : filter.userId
      ? ([side('from_user_id', filter.userId), side('to_user_id', filter.userId)] as const)
      : undefined;

  if (!party) {
    let query = db.selectFrom('transfers').selectAll().orderBy('id', 'desc').limit(size);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.after) query = query.where('id', '<', filter.after);
    return query.execute();
  }
  const [debits, credits] = party;
  return db
    .selectFrom(sql<{ id: string }>`(${debits} union ${credits})`.as('page'))
    .innerJoin('transfers', 'transfers.id', 'page.id')
    .selectAll('transfers')
    .orderBy('transfers.id', 'desc')
    .limit(size)
    .execute();
}
