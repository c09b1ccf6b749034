import { sql } from 'kysely';
import { retryOnDeadlock } from '../db/deadlock-retry.js';
import { type AnyDatabase, eventTables } from './tables.js';

/** A delivery this relay holds the lease of, with its event. */
export interface ClaimedDelivery {
  id: string;
  /** Including this one; also the fencing token of the lease. */
  attempts: number;
  subscriber: string;
  event: {
    id: string;
    type: string;
    version: number;
    occurredAt: Date;
    payload: string;
    traceparent: string | null;
    tracestate: string | null;
  };
}

const after = (ms: number) =>
  sql<Date>`DATE_ADD(NOW(3), INTERVAL ${Math.max(0, Math.round(ms)) * 1000} MICROSECOND)`;

/** Subscribers that have deliveries due now. */
export async function subscribersWithDueDeliveries(db: AnyDatabase): Promise<string[]> {
  const rows = await eventTables(db)
    .selectFrom('outbox_deliveries')
    .select('subscriber')
    .distinct()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', sql<Date>`NOW(3)`)
    .execute();
  return rows.map((row) => row.subscriber);
}

/**
 * Leases up to `limit` due deliveries of one subscriber. Only the head of each
 * aggregate is eligible — no earlier event of the same aggregate is still
 * pending for this subscriber, whether due, leased or backing off — so a
 * subscriber receives an aggregate's events one at a time, in order.
 *
 * Candidates come from a plain read, then are locked with FOR UPDATE SKIP
 * LOCKED and re-checked: replicas claiming at once each get different rows and
 * never wait on each other. The lease (next_attempt_at pushed past the delivery
 * timeout) keeps other relays off the row while it is being delivered.
 */
export async function claimDeliveries(
  db: AnyDatabase,
  subscriber: string,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const tables = eventTables(db);
  const candidates = await tables
    .selectFrom('outbox_deliveries as d')
    .select('d.id')
    .where('d.subscriber', '=', subscriber)
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', sql<Date>`NOW(3)`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox_deliveries as e')
            .select(sql`1`.as('one'))
            .whereRef('e.subscriber', '=', 'd.subscriber')
            .whereRef('e.aggregate_key', '=', 'd.aggregate_key')
            .where('e.status', '=', 'pending')
            .whereRef('e.event_seq', '<', 'd.event_seq'),
        ),
      ),
    )
    .orderBy('d.id')
    .limit(limit * 2)
    .execute();
  if (candidates.length === 0) return [];

  // Claimers lock disjoint rows (SKIP LOCKED), but the lease update takes index locks too, and InnoDB
  // can pick one of two racing claimers as a deadlock victim (seen under a loaded CI run): claim again.
  const claimedIds = await retryOnDeadlock(() =>
    tables.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom('outbox_deliveries')
        .select('id')
        .where(
          'id',
          'in',
          candidates.map((row) => row.id),
        )
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`NOW(3)`)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (locked.length === 0) return [];
      const ids = locked.map((row) => row.id);
      await trx
        .updateTable('outbox_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: after(leaseMs) }))
        .where('id', 'in', ids)
        .execute();
      return ids;
    }),
  );
  if (claimedIds.length === 0) return [];

  const rows = await tables
    .selectFrom('outbox_deliveries as d')
    .innerJoin('outbox as o', 'o.seq', 'd.event_seq')
    .select([
      'd.id',
      'd.attempts',
      'd.subscriber',
      'o.id as eventId',
      'o.type',
      'o.version',
      'o.occurred_at',
      'o.payload',
      'o.traceparent',
      'o.tracestate',
    ])
    .where('d.id', 'in', claimedIds)
    .orderBy('d.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    attempts: row.attempts,
    subscriber: row.subscriber,
    event: {
      id: row.eventId,
      type: row.type,
      version: row.version,
      occurredAt: row.occurred_at,
      payload: row.payload,
      traceparent: row.traceparent,
      tracestate: row.tracestate,
    },
  }));
}

const truncate = (text: string) => (text.length > 1000 ? `${text.slice(0, 997)}...` : text);

/** The outcome updates only apply while this relay still holds the lease (same attempt count). */
function leased(db: AnyDatabase, delivery: ClaimedDelivery) {
  return eventTables(db)
    .updateTable('outbox_deliveries')
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', delivery.attempts);
}

export async function markDelivered(db: AnyDatabase, delivery: ClaimedDelivery): Promise<void> {
  await leased(db, delivery)
    .set({ status: 'delivered', last_error: null, updated_at: sql<Date>`NOW(3)` })
    .execute();
}

export async function scheduleRetry(
  db: AnyDatabase,
  delivery: ClaimedDelivery,
  delayMs: number,
  error: string,
): Promise<void> {
  await leased(db, delivery)
    .set({ next_attempt_at: after(delayMs), last_error: truncate(error), updated_at: sql<Date>`NOW(3)` })
    .execute();
}

export async function markDead(db: AnyDatabase, delivery: ClaimedDelivery, reason: string): Promise<void> {
  await leased(db, delivery)
    .set({ status: 'dead', last_error: truncate(reason), updated_at: sql<Date>`NOW(3)` })
    .execute();
}
