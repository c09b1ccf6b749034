import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { judgeExisting } from './request.js';
import type { IdempotencyTables } from './table.js';

// biome-ignore lint/suspicious/noExplicitAny: any service schema (or transaction) is accepted, then narrowed.
export type AnyKysely = Kysely<any>;

const tables = (db: AnyKysely) => db as Kysely<IdempotencyTables>;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; token: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reused' }
  | { kind: 'in_progress' };

export interface ClaimRequest {
  scope: string;
  key: string;
  fingerprint: string;
  now: Date;
  leaseMs: number;
}

const isDuplicateKey = (error: unknown) => (error as { code?: string }).code === 'ER_DUP_ENTRY';

/**
 * Claims a key for one request, in its own short statement (autocommit), so a
 * concurrent request with the same key sees the claim at once. A claim whose
 * lease ran out (its process died before it finished) is taken over; the
 * guarded completion below keeps the slower of two holders from committing.
 */
export async function claimKey(db: AnyKysely, request: ClaimRequest): Promise<ClaimOutcome> {
  const { scope, key, fingerprint, now } = request;
  const lockedUntil = new Date(now.getTime() + request.leaseMs);
  for (let attempt = 0; attempt < 3; attempt++) {
    const token = randomUUID();
    try {
      await tables(db)
        .insertInto('idempotency_records')
        .values({
          scope,
          idempotency_key: key,
          request_hash: fingerprint,
          state: 'in_flight',
          claim_token: token,
          locked_until: lockedUntil,
          response_status: null,
          response_headers: null,
          response_body: null,
          created_at: now,
          completed_at: null,
        })
        .execute();
      return { kind: 'claimed', token };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const existing = await tables(db)
      .selectFrom('idempotency_records')
      .selectAll()
      .where('scope', '=', scope)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    // Purged between the insert and the read: try the insert again.
    if (!existing) continue;
    const verdict = judgeExisting(existing, fingerprint, now);
    if (verdict === 'reused') return { kind: 'reused' };
    if (verdict === 'in_progress') return { kind: 'in_progress' };
    if (verdict === 'replay') {
      return {
        kind: 'replay',
        response: {
          status: existing.response_status ?? 200,
          headers: existing.response_headers
            ? (JSON.parse(existing.response_headers) as Record<string, string>)
            : {},
          body: existing.response_body ?? '',
        },
      };
    }
    const takeover = await tables(db)
      .updateTable('idempotency_records')
      .set({ claim_token: token, locked_until: lockedUntil })
      .where('scope', '=', scope)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'in_flight')
      .where('claim_token', '=', existing.claim_token)
      .executeTakeFirst();
    if (Number(takeover.numUpdatedRows) === 1) return { kind: 'claimed', token };
    // Someone else took it over or finished it first: judge the record again.
  }
  return { kind: 'in_progress' };
}

/**
 * Marks the claim completed with its response. Run it inside the transaction of
 * the request's own writes: the record then commits if and only if they do.
 * Returns false when the claim is no longer this request's (taken over after
 * its lease ran out); the caller must then roll back.
 */
export async function completeClaim(
  db: AnyKysely,
  claim: { scope: string; key: string; token: string },
  response: StoredResponse,
  now: Date,
): Promise<boolean> {
  const result = await tables(db)
    .updateTable('idempotency_records')
    .set({
      state: 'completed',
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
      completed_at: now,
    })
    .where('scope', '=', claim.scope)
    .where('idempotency_key', '=', claim.key)
    .where('claim_token', '=', claim.token)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the key back after a request that changed nothing, so the same key can be tried again. */
export async function releaseClaim(
  db: AnyKysely,
  claim: { scope: string; key: string; token: string },
): Promise<void> {
  await tables(db)
    .deleteFrom('idempotency_records')
    .where('scope', '=', claim.scope)
    .where('idempotency_key', '=', claim.key)
    .where('claim_token', '=', claim.token)
    .where('state', '=', 'in_flight')
    .execute();
}

/**
 * Deletes records created before `before` (completed ones past retention, and
 * claims long abandoned), in batches so no purge holds locks for long.
 */
export async function purgeIdempotencyRecords(
  db: AnyKysely,
  before: Date,
  batchSize = 1_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await tables(db)
      .deleteFrom('idempotency_records')
      .where('created_at', '<', before)
      .limit(batchSize)
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
