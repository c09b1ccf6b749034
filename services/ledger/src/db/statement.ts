import type { Kysely } from 'kysely';
import type { TransferKind } from '../domain/posting.js';
import type { EntryDirection, LedgerDatabase } from './schema.js';

export interface StatementLine {
  id: string;
  transfer_id: string;
  direction: EntryDirection;
  amount: string;
  currency: string;
  balance_after: string;
  created_at: Date;
  kind: TransferKind;
  debit_account_id: string;
  credit_account_id: string;
  reference: string | null;
}

export interface StatementFilter {
  accountId: string;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  limit: number;
  /** The (time, id) of the last line on the previous page. */
  after?: { createdAt: Date; id: string } | undefined;
}

/**
 * An account's entries, newest first. Every condition is a range on the index
 * (account_id, created_at, id), so a page costs the same at the first entry as
 * at the ten-millionth, with or without a date range.
 */
export function statementPage(db: Kysely<LedgerDatabase>, filter: StatementFilter): Promise<StatementLine[]> {
  let query = db
    .selectFrom('entries')
    .innerJoin('transfers', 'transfers.id', 'entries.transfer_id')
    .select([
      'entries.id',
      'entries.transfer_id',
      'entries.direction',
      'entries.amount',
      'entries.currency',
      'entries.balance_after',
      'entries.created_at',
      'transfers.kind',
      'transfers.debit_account_id',
      'transfers.credit_account_id',
      'transfers.reference',
    ])
    .where('entries.account_id', '=', filter.accountId)
    .orderBy('entries.created_at', 'desc')
    .orderBy('entries.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.from) query = query.where('entries.created_at', '>=', filter.from);
  if (filter.to) query = query.where('entries.created_at', '<', filter.to);
  const after = filter.after;
  if (after) {
    query = query
      .where('entries.created_at', '<=', after.createdAt)
      .where((eb) =>
        eb.or([eb('entries.created_at', '<', after.createdAt), eb('entries.id', '<', after.id)]),
      );
  }
  return query.execute();
}
