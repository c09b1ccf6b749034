import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { BadRequest, Conflict, DomainError } from '../errors.js';
import {
  type AnyKysely,
  type ClaimOutcome,
  claimKey,
  completeClaim,
  purgeIdempotencyRecords,
  releaseClaim,
  type StoredResponse,
} from './records.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  isValidIdempotencyKey,
  REPLAYED_HEADER,
  requestFingerprint,
} from './request.js';

/** Response headers a replay repeats; the rest (request id, dates) belong to each response. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

/** The current request's hold on its Idempotency-Key, for the handler to complete. */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  /**
   * Records the response the handler is about to send, inside the handler's
   * own transaction `trx`: the record commits if and only if the request's
   * writes do, so a crash can never leave money moved without its record, or
   * a record without the money. Throws 409 when the claim was lost (it outlived
   * its lease and a retry took it over), which rolls the transaction back.
   */
  complete(
    trx: AnyKysely,
    response: { status: number; body: unknown; headers?: Record<string, string> },
  ): Promise<void>;
}

declare module 'hono' {
  interface ContextVariableMap {
    idempotencyClaim: IdempotencyClaim;
  }
}

export interface IdempotencyOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any service schema; the kit touches only its own table.
  db: Kysely<any>;
  /** Metrics registry for `idempotency_requests_total`. */
  registry?: Registry;
  /** How long a claim holds its key before a retry may take it over (default 30 s). */
  leaseMs?: number;
  now?: () => Date;
}

export interface Idempotency {
  /**
   * Route middleware for a request that must run at most once per key (DESIGN
   * §2): `Idempotency-Key` required (400), keys scoped by `scopeOf` (the caller);
   * the same key and request replay the first response; the same key with
   * another request is 409 `idempotency_key_reused`; one still running is 409
   * `idempotency_request_in_progress`. Put it after the auth guard.
   */
  require(scopeOf: (c: Context) => string): MiddlewareHandler;
  /** Deletes records created before `before`. */
  purge(before: Date): Promise<number>;
}

function keyError(code: string, message: string): BadRequest {
  return new BadRequest(code, `${message} Send a unique ${IDEMPOTENCY_KEY_HEADER} per operation.`, {
    errors: [{ field: 'header.idempotency-key', message, code }],
  });
}

/** The stored response again, through the context so this request's own headers (X-Request-ID) stay. */
function replayResponse(c: Context, stored: StoredResponse): Response {
  const headers = { ...stored.headers, [REPLAYED_HEADER]: 'true' };
  // A stored empty body is a bodiless response (204 may carry no body at all).
  return stored.body === ''
    ? c.body(null, stored.status as StatusCode, headers)
    : c.body(stored.body, stored.status as ContentfulStatusCode, headers);
}

function storable(response: Response, body: string): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body };
}

/**
 * Completed responses are stored; a request that failed changed nothing (its
 * transaction rolled back), so its key is released and the same key may be
 * tried again once the cause is fixed (topped-up wallet, unfrozen account).
 * Money is additionally guarded by the service's own unique key on
 * (initiator, idempotency key), so even a purged record cannot apply a key twice.
 */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { db } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const requests = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests with an Idempotency-Key by outcome: claimed, replayed, reused, in_progress.',
    labelNames: ['outcome'] as const,
    registers: options.registry ? [options.registry] : [],
  });

  return {
    purge: (before) => purgeIdempotencyRecords(db, before),
    require(scopeOf) {
      return async (c, next) => {
        const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
        if (key === undefined || key === '') {
          throw keyError('idempotency_key_required', 'Idempotency-Key is required for this operation.');
        }
        if (!isValidIdempotencyKey(key)) {
          throw keyError(
            'idempotency_key_invalid',
            'Idempotency-Key must be 1–255 printable ASCII characters without spaces.',
          );
        }
        const scope = scopeOf(c);
        const url = new URL(c.req.url);
        const fingerprint = requestFingerprint(
          c.req.method,
          `${url.pathname}${url.search}`,
          await c.req.text(),
        );
        const outcome: ClaimOutcome = await claimKey(db, { scope, key, fingerprint, now: now(), leaseMs });
        requests.inc({ outcome: outcome.kind === 'replay' ? 'replayed' : outcome.kind });
        if (outcome.kind === 'replay') return replayResponse(c, outcome.response);
        if (outcome.kind === 'reused') {
          throw new Conflict(
            'idempotency_key_reused',
            'This Idempotency-Key was already used for a different request; use a new key.',
          );
        }
        if (outcome.kind === 'in_progress') {
          throw new Conflict(
            'idempotency_request_in_progress',
            'A request with this Idempotency-Key is still being processed; retry shortly.',
            { headers: { 'Retry-After': '1' } },
          );
        }

        const held = { scope, key, token: outcome.token };
        let completed = false;
        c.set('idempotencyClaim', {
          scope,
          key,
          async complete(trx, response) {
            const headers: Record<string, string> = {
              'content-type': 'application/json',
              ...Object.fromEntries(
                Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
              ),
            };
            const stored = { status: response.status, headers, body: JSON.stringify(response.body) };
            if (!(await completeClaim(trx, held, stored, now()))) {
              throw new Conflict(
                'idempotency_request_in_progress',
                'This request outlived its claim on the Idempotency-Key and was superseded by a retry.',
              );
            }
            completed = true;
          },
        });

        try {
          await next();
        } catch (error) {
          await releaseClaim(db, held);
          throw error;
        }
        const status = c.res.status;
        if (c.error || status >= 400) {
          // Harmless if the completion had committed after all: only in-flight claims are deleted.
          await releaseClaim(db, held);
        } else if (!completed) {
          // A handler whose write is itself idempotent may skip complete(); record it afterwards.
          const recorded = await completeClaim(db, held, storable(c.res, await c.res.clone().text()), now());
          if (!recorded) {
            throw new DomainError(409, 'idempotency_request_in_progress', 'Conflict', {
              detail: 'This request was superseded by a retry with the same Idempotency-Key.',
            });
          }
        }
      };
    },
  };
}

/** The claim of the current request (set by `Idempotency.require`). */
export function idempotencyClaimOf(c: Context): IdempotencyClaim {
  const claim = c.get('idempotencyClaim');
  if (!claim) throw new Error('idempotencyClaimOf: the route has no idempotency middleware');
  return claim;
}
