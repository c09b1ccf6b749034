// The fetch openapi-fetch calls through: adds the session's bearer token, renews it once on a 401, and
// retries a 503 that says when (Retry-After) — only for requests that are safe to send again: GET and
// HEAD, and requests with an Idempotency-Key (the service replays the first answer).
import type { Session } from './session.js';

export interface RetryOptions {
  /** Further attempts after the first (default 2). */
  attempts?: number;
  /** The longest Retry-After honoured; a longer one is answered as is (default 5000 ms). */
  maxDelayMs?: number;
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Paths whose 401 means wrong credentials, not an expired token: never renewed. */
const SIGN_IN_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh'];

export function transport(send: typeof fetch, session: Session, retry: RetryOptions = {}) {
  const attempts = retry.attempts ?? 2;
  const maxDelayMs = retry.maxDelayMs ?? 5000;

  /** A copy of the request with the session's token, unless the caller gave one (then `token` is undefined). */
  const withToken = (request: Request) => {
    const headers = new Headers(request.headers);
    const token = headers.has('authorization') ? undefined : session.tokens?.accessToken;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return { token, request: new Request(request.clone(), { headers }) };
  };

  async function sendRetrying(request: Request): Promise<Response> {
    const retriable =
      request.method === 'GET' || request.method === 'HEAD' || request.headers.has('idempotency-key');
    for (let attempt = 0; ; attempt++) {
      const response = await send(request.clone());
      if (response.status !== 503 || !retriable || attempt >= attempts) return response;
      const delay = retryAfterMs(response.headers.get('retry-after'));
      if (delay === undefined || delay > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delay);
    }
  }

  return async function bondingFetch(input: Request): Promise<Response> {
    const first = withToken(input);
    const response = await sendRetrying(first.request);
    const path = new URL(input.url).pathname;
    if (response.status !== 401 || first.token === undefined || SIGN_IN_PATHS.includes(path)) return response;
    if (!(await session.renew(first.token))) return response;
    await response.body?.cancel();
    return sendRetrying(withToken(input).request);
  };
}
