import type { EventEnvelope } from '@bonding/contracts';
import { SIGNATURE_HEADER, signRequest } from '../internal/signature.js';
import type { Subscriber } from './subscribers.js';
import type { DeliveryResult, EventTransport } from './transport.js';

/**
 * Statuses by which a consumer says "this event will never work here": a
 * malformed event, an unknown type or version, a handler's refusal. Anything
 * else (5xx, 404 during a rollout, 401 while secrets rotate, 429) is retried.
 */
export const PERMANENT_STATUSES = new Set([400, 410, 413, 415, 422]);
export const EVENTS_PATH = '/internal/events';

async function describeRejection(response: Response): Promise<string> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the reason is the status alone
  }
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown };
    const code = typeof problem.code === 'string' ? ` ${problem.code}` : '';
    const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
    return `HTTP ${response.status}${code}${detail}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** POSTs each event, signed with the subscriber's secret, to `<subscriber url>/internal/events`. */
export function createHttpPushTransport(options: {
  peerSecrets: Readonly<Record<string, string>>;
  timeoutMs: number;
  userAgent: string;
}): EventTransport {
  return {
    async deliver(
      subscriber: Subscriber,
      envelope: EventEnvelope,
      signal: AbortSignal,
    ): Promise<DeliveryResult> {
      const secret = options.peerSecrets[subscriber.name];
      if (!secret) {
        return { ok: false, kind: 'rejected', permanent: false, reason: `no secret for ${subscriber.name}` };
      }
      const url = new URL(`${subscriber.url}${EVENTS_PATH}`);
      const body = JSON.stringify(envelope);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': options.userAgent,
            [SIGNATURE_HEADER]: signRequest(secret, { method: 'POST', path: url.pathname, body }),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([signal, timeout]),
        });
        if (response.ok) {
          await response.body?.cancel();
          return { ok: true };
        }
        const permanent = PERMANENT_STATUSES.has(response.status);
        const retryAfter = retryAfterMs(response);
        return {
          ok: false,
          kind: permanent ? 'rejected' : 'server',
          permanent,
          reason: await describeRejection(response),
          ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        };
      } catch (error) {
        if (signal.aborted) return { ok: false, kind: 'aborted', permanent: false, reason: 'relay stopping' };
        if (timeout.aborted) {
          return {
            ok: false,
            kind: 'timeout',
            permanent: false,
            reason: `no answer within ${options.timeoutMs} ms`,
          };
        }
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return {
          ok: false,
          kind: 'network',
          permanent: false,
          reason: `network: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        };
      }
    },
  };
}
