import type { EventData } from '@bonding/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { DirectoryRow, NotificationsDatabase, UserDirectoryTable } from './schema.js';

type Db = Kysely<NotificationsDatabase> | Transaction<NotificationsDatabase>;

/**
 * The directory follows identity's events. A user's events arrive in order and
 * `user.updated` carries the whole entry, so an upsert is always right.
 */
export async function upsertDirectoryEntry(
  trx: Db,
  data: EventData<'user.registered@1'>,
  at: Date,
): Promise<void> {
  const entry = {
    email: data.email,
    first_name: data.firstName,
    last_name: data.lastName,
    role: data.role,
    status: data.status,
    updated_at: at,
  };
  await trx
    .insertInto('user_directory')
    .values({ user_id: data.userId, ...entry })
    .onDuplicateKeyUpdate(entry)
    .execute();
}

export async function setDirectoryStatus(
  trx: Db,
  userId: string,
  status: UserDirectoryTable['status'],
  at: Date,
): Promise<void> {
  await trx
    .updateTable('user_directory')
    .set({ status, updated_at: at })
    .where('user_id', '=', userId)
    .execute();
}

/** Active admins, in id order: they hear of pending agents and failed disbursements. */
export async function activeAdmins(trx: Db): Promise<string[]> {
  const rows = await trx
    .selectFrom('user_directory')
    .select('user_id')
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .orderBy('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

export function findDirectoryEntry(db: Db, userId: string): Promise<DirectoryRow | undefined> {
  return db.selectFrom('user_directory').selectAll().where('user_id', '=', userId).executeTakeFirst();
}
