import { Conflict, NotFound, PreconditionFailed } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { type CardAction, type CardDetails, changeCardStatus } from '../domain/cards.js';
import { accountNotFound } from './accounts.js';
import type { CardRow, LedgerDatabase } from './schema.js';

type Db = Kysely<LedgerDatabase>;

export function cardNotFound(): NotFound {
  return new NotFound('card_not_found', 'No card with this id, or not one you may see.');
}

export async function getCard(db: Db, id: string): Promise<CardRow> {
  const row = await db.selectFrom('cards').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw cardNotFound();
  return row;
}

/**
 * Issues a card on a wallet that is active and below its card limit. The
 * wallet row is locked, so two requests cannot both take the last place.
 */
export async function issueCard(
  db: Db,
  card: { id: string; accountId: string; ownerId: string; details: CardDetails; now: Date; limit: number },
): Promise<CardRow> {
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['id', 'status'])
      .where('id', '=', card.accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!account) throw accountNotFound(card.accountId);
    if (account.status !== 'active') {
      throw new Conflict(
        `account_${account.status}`,
        `Cards cannot be issued on a ${account.status} account.`,
      );
    }
    const { held } = await trx
      .selectFrom('cards')
      .select((eb) => eb.fn.countAll<string>().as('held'))
      .where('account_id', '=', card.accountId)
      .where('status', '<>', 'cancelled')
      .executeTakeFirstOrThrow();
    if (Number(held) >= card.limit) {
      throw new Conflict(
        'card_limit_reached',
        `A wallet holds at most ${card.limit} cards; cancel one first.`,
      );
    }
    const row: CardRow = {
      id: card.id,
      account_id: card.accountId,
      owner_id: card.ownerId,
      brand: card.details.brand,
      last_four: card.details.lastFour,
      expiry_month: card.details.expiryMonth,
      expiry_year: card.details.expiryYear,
      status: 'active',
      version: 1,
      created_at: card.now,
      updated_at: card.now,
    };
    await trx.insertInto('cards').values(row).execute();
    return row;
  });
}

export function listCards(
  db: Db,
  filter: { accountId: string; limit: number; after?: string | undefined },
): Promise<CardRow[]> {
  let query = db
    .selectFrom('cards')
    .selectAll()
    .where('account_id', '=', filter.accountId)
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.after) query = query.where('id', '<', filter.after);
  return query.execute();
}

const CARD_ERRORS = {
  card_cancelled: () => new Conflict('card_cancelled', 'The card is cancelled; it cannot change any more.'),
  card_not_active: () => new Conflict('card_not_active', 'Only an active card can be frozen.'),
  card_not_frozen: () => new Conflict('card_not_frozen', 'The card is not frozen.'),
};

/** Freeze, unfreeze or cancel, on the version the caller read (412 otherwise). */
export async function changeCard(
  db: Db,
  current: CardRow,
  expectedVersion: number,
  action: CardAction,
  now: Date,
): Promise<CardRow> {
  if (current.version !== expectedVersion) throw staleCard();
  const change = changeCardStatus(current.status, action);
  if (!change.ok) throw CARD_ERRORS[change.code]();
  const result = await db
    .updateTable('cards')
    .set({ status: change.status, version: expectedVersion + 1, updated_at: now })
    .where('id', '=', current.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw staleCard();
  return { ...current, status: change.status, version: expectedVersion + 1, updated_at: now };
}

function staleCard(): PreconditionFailed {
  return new PreconditionFailed(
    'etag_mismatch',
    'The card changed since you read it; read it again and retry.',
  );
}
