import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { NotificationsDatabase, TicketRow } from './schema.js';

type Db = Kysely<NotificationsDatabase>;

/** Only the hash is stored: a leaked table (or backup) yields no usable ticket. */
const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** A new one-time ticket for the caller: 256 random bits, usable once within `ttlSeconds`. */
export async function issueTicket(
  db: Db,
  principal: Principal,
  { ttlSeconds, now }: { ttlSeconds: number; now: Date },
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomBytes(32).toString('base64url');
  // Never beyond the token it stands for.
  const expiresAt = new Date(Math.min(now.getTime() + ttlSeconds * 1000, principal.expiresAt * 1000));
  await db
    .insertInto('stream_tickets')
    .values({
      ticket_hash: hashOf(ticket),
      user_id: principal.userId,
      role: principal.role,
      session_id: principal.sessionId ?? null,
      token_issued_at: new Date(principal.issuedAt * 1000),
      token_expires_at: new Date(principal.expiresAt * 1000),
      expires_at: expiresAt,
      used_at: null,
      created_at: now,
    })
    .execute();
  return { ticket, expiresAt };
}

/**
 * Uses a ticket up. The conditional update is the single-use guarantee: of two
 * requests racing with the same ticket, on any replicas, exactly one changes
 * the row. Unknown, used and expired tickets all answer undefined.
 */
export async function redeemTicket(db: Db, ticket: string, now: Date): Promise<TicketRow | undefined> {
  if (!TICKET_FORMAT.test(ticket)) return undefined;
  const hash = hashOf(ticket);
  const result = await db
    .updateTable('stream_tickets')
    .set({ used_at: now })
    .where('ticket_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom('stream_tickets').selectAll().where('ticket_hash', '=', hash).executeTakeFirst();
}

/** Deletes tickets that expired before the cutoff, used or not. */
export async function purgeExpiredTickets(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('stream_tickets').where('expires_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
