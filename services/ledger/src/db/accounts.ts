import { Conflict, NotFound, PreconditionFailed } from '@bonding/kit';
import type { Kysely } from 'kysely';
import {
  type AccountStatus,
  type AccountType,
  changeAccountStatus,
  type SystemAccountType,
} from '../domain/accounts.js';
import { minorUnits } from '../domain/money.js';
import { type AccountRow, type LedgerDatabase, PLATFORM_OWNER } from './schema.js';

type Db = Kysely<LedgerDatabase>;

const isDuplicateKey = (error: unknown) => (error as { code?: string }).code === 'ER_DUP_ENTRY';

export function accountNotFound(accountId?: string): NotFound {
  return new NotFound('account_not_found', 'No account with this id, or not one you may see.', {
    ...(accountId ? { extensions: { accountId } } : {}),
  });
}

export interface NewAccount {
  id: string;
  ownerId: string | null;
  type: AccountType;
  currency: string;
  now: Date;
  /** The payee of an institution account: its owner key (it has no user as holder). */
  institutionId?: string;
}

/** Inserts an account; the unique key answers 409 when the holder already has one of its kind. */
export async function insertAccount(db: Db, account: NewAccount): Promise<void> {
  try {
    await db
      .insertInto('accounts')
      .values({
        id: account.id,
        owner_id: account.ownerId,
        owner_key: account.ownerId ?? account.institutionId ?? PLATFORM_OWNER,
        type: account.type,
        currency: account.currency,
        status: 'active',
        balance: '0',
        version: 1,
        created_at: account.now,
        updated_at: account.now,
      })
      .execute();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    throw new Conflict(
      'account_exists',
      account.ownerId
        ? `You already have a ${account.currency} wallet.`
        : account.institutionId
          ? `The institution already has a ${account.currency} account.`
          : `The ${account.currency} ${account.type} account already exists.`,
    );
  }
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getAccount(db: Db, id: string): Promise<AccountRow> {
  const row = await findAccount(db, id);
  if (!row) throw accountNotFound(id);
  return row;
}

/**
 * The account of a holder (a user, an institution, the platform) of a type in a currency, whatever its
 * status. `lock` reads it FOR UPDATE, which also sees the latest committed row: inside a transaction that
 * has already read (REPEATABLE READ) a plain read does not, so the loser of a race to open an account
 * must lock to find it.
 */
export function findOwnedAccount(
  db: Db,
  account: { ownerKey: string; type: AccountType; currency: string },
  options: { lock?: boolean } = {},
): Promise<AccountRow | undefined> {
  const query = db
    .selectFrom('accounts')
    .selectAll()
    .where('owner_key', '=', account.ownerKey)
    .where('type', '=', account.type)
    .where('currency', '=', account.currency);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** A user's wallet in a currency (whatever its status), if they have one. */
export function findWallet(
  db: Db,
  ownerId: string,
  currency: string,
  options: { lock?: boolean } = {},
): Promise<AccountRow | undefined> {
  return findOwnedAccount(db, { ownerKey: ownerId, type: 'wallet', currency }, options);
}

export function findSystemAccount(
  db: Db,
  type: SystemAccountType,
  currency: string,
  options: { lock?: boolean } = {},
): Promise<AccountRow | undefined> {
  return findOwnedAccount(db, { ownerKey: PLATFORM_OWNER, type, currency }, options);
}

/** The user's wallet in the currency, opened now if they have none (disbursements). */
export async function openWalletIfMissing(
  db: Db,
  account: Omit<NewAccount, 'type' | 'ownerId'> & { ownerId: string },
): Promise<AccountRow> {
  const existing = await findWallet(db, account.ownerId, account.currency);
  if (existing) return existing;
  try {
    await insertAccount(db, { ...account, type: 'wallet' });
  } catch (error) {
    // Opened concurrently by another request: use that one.
    if (!(error instanceof Conflict)) throw error;
  }
  const opened = await findWallet(db, account.ownerId, account.currency, { lock: true });
  if (!opened) throw new Error('wallet vanished after it was opened');
  return opened;
}

export interface AccountFilter {
  ownerId?: string | undefined;
  institutionId?: string | undefined;
  type?: AccountType | undefined;
  currency?: string | undefined;
  status?: AccountStatus | undefined;
  limit: number;
  /** The id of the last account on the previous page. */
  after?: string | undefined;
}

/** Newest first; one extra row to detect a next page. */
export function listAccounts(db: Db, filter: AccountFilter): Promise<AccountRow[]> {
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.institutionId) {
    query = query.where('owner_key', '=', filter.institutionId).where('type', '=', 'institution');
  }
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.currency) query = query.where('currency', '=', filter.currency);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.after) query = query.where('id', '<', filter.after);
  return query.execute();
}

const STATUS_CHANGE_ERRORS = {
  account_closed: () => new Conflict('account_closed', 'The account is closed; it cannot change any more.'),
  account_not_active: () => new Conflict('account_not_active', 'Only an active account can be frozen.'),
  account_not_frozen: () => new Conflict('account_not_frozen', 'The account is not frozen.'),
  balance_not_zero: () =>
    new Conflict(
      'balance_not_zero',
      'Only an account with a zero balance can be closed; move the money first.',
    ),
};

/**
 * Freeze, unfreeze or close, on the version the admin read. The row is locked,
 * so no transfer runs between the balance check and the change; closing also
 * cancels the account's cards.
 */
export async function changeStatus(
  db: Db,
  id: string,
  expectedVersion: number,
  action: 'freeze' | 'unfreeze' | 'close',
  now: Date,
): Promise<AccountRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw accountNotFound(id);
    if (row.version !== expectedVersion) {
      throw new PreconditionFailed(
        'etag_mismatch',
        "The account's status changed since you read it; read it again and retry.",
      );
    }
    const change = changeAccountStatus(row.status, action, minorUnits(row.balance));
    if (!change.ok) throw STATUS_CHANGE_ERRORS[change.code]();
    await trx
      .updateTable('accounts')
      .set({ status: change.status, version: row.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    if (change.status === 'closed') {
      await trx
        .updateTable('cards')
        .set((eb) => ({ status: 'cancelled', version: eb('version', '+', 1), updated_at: now }))
        .where('account_id', '=', id)
        .where('status', '<>', 'cancelled')
        .execute();
    }
    return { ...row, status: change.status, version: row.version + 1, updated_at: now };
  });
}
