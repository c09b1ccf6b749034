import { uuidv7 } from '@bonding/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Notice } from '../domain/notices.js';
import type { NotificationRow, NotificationsDatabase } from './schema.js';

type Db = Kysely<NotificationsDatabase>;

/**
 * Writes the notices of one event. Each user's next sequence numbers come from
 * their counter row, which stays locked until commit: so one user's
 * notifications commit in sequence order, and a stream that has shown N has
 * missed nothing before N. Counters are locked in user-id order, so two events
 * for the same users cannot deadlock on them.
 */
export async function writeNotices(
  trx: Transaction<NotificationsDatabase>,
  notices: readonly Notice[],
  { eventId, now }: { eventId: string; now: Date },
): Promise<NotificationRow[]> {
  const byUser = new Map<string, Notice[]>();
  for (const notice of notices) byUser.set(notice.userId, [...(byUser.get(notice.userId) ?? []), notice]);
  const rows: NotificationRow[] = [];
  for (const userId of [...byUser.keys()].sort()) {
    const own = byUser.get(userId) as Notice[];
    await trx
      .insertInto('notification_counters')
      .values({ user_id: userId, last_seq: String(own.length) })
      .onDuplicateKeyUpdate({ last_seq: sql`last_seq + ${own.length}` })
      .execute();
    const counter = await trx
      .selectFrom('notification_counters')
      .select('last_seq')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    let seq = Number(counter.last_seq) - own.length;
    for (const notice of own) {
      seq += 1;
      rows.push({
        id: uuidv7(now.getTime()),
        user_id: userId,
        seq: String(seq),
        kind: notice.kind,
        title: notice.title.slice(0, 200),
        body: notice.body.slice(0, 1000),
        data: JSON.stringify(notice.data),
        event_id: eventId,
        created_at: now,
        read_at: null,
      });
    }
  }
  if (rows.length > 0) await trx.insertInto('notifications').values(rows).execute();
  return rows;
}

/** One page of a user's notifications, newest first; `before` is the sequence number to continue below. */
export function listNotifications(
  db: Db,
  userId: string,
  options: { unread: boolean; limit: number; before?: number },
): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('seq', 'desc')
    .limit(options.limit + 1);
  if (options.unread) query = query.where('read_at', 'is', null);
  if (options.before !== undefined) query = query.where('seq', '<', String(options.before));
  return query.execute();
}

export function findNotification(db: Db, userId: string, id: string): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Marks one of the user's notifications read; reading it again keeps the first time. */
export async function markRead(db: Db, userId: string, id: string, now: Date): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllRead(db: Db, userId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The last sequence number of each of these users (0 for users with no notification yet). */
export async function latestSequences(db: Db, userIds: readonly string[]): Promise<Map<string, number>> {
  const latest = new Map<string, number>(userIds.map((id) => [id, 0]));
  if (userIds.length === 0) return latest;
  const rows = await db
    .selectFrom('notification_counters')
    .select(['user_id', 'last_seq'])
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) latest.set(row.user_id, Number(row.last_seq));
  return latest;
}

/** A user's notifications after a sequence number, oldest first. */
export function notificationsAfter(
  db: Db,
  userId: string,
  afterSeq: number,
  limit: number,
): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', String(afterSeq))
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}
