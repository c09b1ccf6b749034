import { uuidv7 } from '@bonding/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { MailRequest } from '../domain/notices.js';
import type { MailRow, NotificationsDatabase } from './schema.js';

type Db = Kysely<NotificationsDatabase>;

/** Queues e-mails in the transaction of the event that asked for them. */
export async function enqueueMails(
  trx: Transaction<NotificationsDatabase>,
  mails: readonly MailRequest[],
  { eventId, now }: { eventId: string; now: Date },
): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map(({ userId, template, ...params }) => ({
    id: uuidv7(now.getTime()),
    user_id: userId,
    template,
    params: JSON.stringify({ template, ...params }),
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: now,
    last_error: null,
    event_id: eventId,
    created_at: now,
    updated_at: now,
    sent_at: null,
  }));
  await trx.insertInto('mail_outbox').values(rows).execute();
  return rows.map((row) => row.id);
}

/**
 * Claims up to `limit` due mails for this replica: locked with SKIP LOCKED so
 * replicas claiming together get different rows, then leased (due again only
 * after `leaseMs`, should this replica die mid-send) with the attempt counted.
 * The returned rows carry the new attempt count: the fencing token of the outcome.
 */
export async function claimDueMails(db: Db, { limit, leaseMs }: { limit: number; leaseMs: number }) {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('mail_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', sql<Date>`NOW(3)`)
      .orderBy('next_attempt_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    await trx
      .updateTable('mail_outbox')
      .set({
        attempts: sql<number>`attempts + 1`,
        next_attempt_at: sql<Date>`NOW(3) + INTERVAL ${leaseMs * 1000} MICROSECOND`,
        updated_at: sql<Date>`NOW(3)`,
      })
      .where(
        'id',
        'in',
        due.map((row) => row.id),
      )
      .execute();
    return due.map((row): MailRow => ({ ...row, attempts: row.attempts + 1 }));
  });
}

/** Records an outcome, only if no later attempt has claimed the mail since (its attempt count). */
export async function recordMailOutcome(
  db: Db,
  mail: Pick<MailRow, 'id' | 'attempts'>,
  outcome:
    | { status: 'sent' }
    | { status: 'pending'; retryInMs: number; error: string }
    | { status: 'dead'; error: string },
): Promise<boolean> {
  const now = sql<Date>`NOW(3)`;
  const changes =
    outcome.status === 'sent'
      ? { status: 'sent' as const, sent_at: now, last_error: null, updated_at: now }
      : outcome.status === 'dead'
        ? { status: 'dead' as const, last_error: outcome.error.slice(0, 200), updated_at: now }
        : {
            status: 'pending' as const,
            next_attempt_at: sql<Date>`NOW(3) + INTERVAL ${outcome.retryInMs * 1000} MICROSECOND`,
            last_error: outcome.error.slice(0, 200),
            updated_at: now,
          };
  const result = await db
    .updateTable('mail_outbox')
    .set(changes)
    .where('id', '=', mail.id)
    .where('attempts', '=', mail.attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes sent mails older than the cutoff (they hold personal data), in batches. */
export async function purgeSentMails(db: Db, cutoff: Date, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom('mail_outbox')
      .where('status', '=', 'sent')
      .where('updated_at', '<', cutoff)
      .limit(batch)
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) return total;
  }
}
