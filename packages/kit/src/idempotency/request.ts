import { createHash } from 'node:crypto';
import type { IdempotencyState } from './table.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII without spaces, 1–255 characters: a UUID, a ULID, a client's own scheme. */
export const IDEMPOTENCY_KEY_FORMAT = /^[\x21-\x7E]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return IDEMPOTENCY_KEY_FORMAT.test(key);
}

/**
 * What makes two requests "the same request": method, path and query, and the
 * body byte for byte. Raw bytes rather than parsed JSON, so no number is rounded
 * and no two different bodies can ever hash alike.
 */
export function requestFingerprint(method: string, pathAndQuery: string, body: string): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${pathAndQuery}\n`).update(body).digest('hex');
}

export interface ExistingRecord {
  request_hash: string;
  state: IdempotencyState;
  locked_until: Date;
}

export type ExistingVerdict =
  /** Same key, another request: refuse (409 idempotency_key_reused). */
  | 'reused'
  /** Same request, finished: send the stored response again. */
  | 'replay'
  /** Same request, still running: refuse for now (409 idempotency_request_in_progress). */
  | 'in_progress'
  /** Same request, but its claim outlived its lease (the process died): it may be taken over. */
  | 'abandoned';

/** The rules of DESIGN §2 for a key that is already known. */
export function judgeExisting(record: ExistingRecord, fingerprint: string, now: Date): ExistingVerdict {
  if (record.request_hash !== fingerprint) return 'reused';
  if (record.state === 'completed') return 'replay';
  return record.locked_until.getTime() > now.getTime() ? 'in_progress' : 'abandoned';
}
