import { SIGNATURE_HEADER, signRequest } from './signature.js';

export interface SignedFetchOptions {
  method?: string;
  /** A JSON value (serialised once) or a raw string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The receiving service's secret (from INTERNAL_PEER_SECRETS). */
  secret: string;
  /** Per attempt. */
  timeoutMs?: number;
  /**
   * Further attempts after the first (default 2). They are made only for
   * requests that are safe to repeat: GET/HEAD/PUT/DELETE, or any request with
   * an Idempotency-Key header; others are tried once unless `retries` is set.
   */
  retries?: number;
  /** First retry delay; doubled each time, with jitter. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

const REPEATABLE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 5_000;

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * A command call to another service's `/internal/...` route, signed with that
 * service's secret (re-signed per attempt, so retries never go stale), with a
 * timeout per attempt and a bounded number of retries on network errors,
 * timeouts and 408/429/502/503/504. Returns the last response, or throws the
 * last network error.
 */
export async function signedFetch(url: string | URL, options: SignedFetchOptions): Promise<Response> {
  const target = new URL(url);
  const method = (options.method ?? (options.body === undefined ? 'GET' : 'POST')).toUpperCase();
  const body =
    options.body === undefined
      ? ''
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const idempotent =
    REPEATABLE_METHODS.has(method) || Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key');
  const retries = options.retries ?? (idempotent ? 2 : 0);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const baseDelay = options.retryDelayMs ?? 200;

  for (let attempt = 0; ; attempt++) {
    const last = attempt >= retries;
    const delay = baseDelay * 2 ** attempt * (0.5 + Math.random() / 2);
    try {
      const response = await fetch(target, {
        method,
        headers: {
          ...headers,
          [SIGNATURE_HEADER]: signRequest(options.secret, {
            method,
            path: `${target.pathname}${target.search}`,
            body,
          }),
        },
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
        redirect: 'manual',
        signal: options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      });
      if (last || !RETRYABLE_STATUSES.has(response.status)) return response;
      await response.body?.cancel();
      await wait(Math.max(delay, retryAfterMs(response) ?? 0), options.signal);
    } catch (error) {
      // The caller gave up: do not retry.
      if (last || options.signal?.aborted) throw error;
      await wait(delay, options.signal);
    }
  }
}
