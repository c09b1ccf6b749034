import type { MiddlewareHandler } from 'hono';
import { Unauthorized } from '../errors.js';
import { SIGNATURE_HEADER, type SignatureCheck, verifySignature } from './signature.js';

export interface InternalAuthOptions {
  /** The secrets this service accepts (its own; two while rotating). Empty: every call is refused. */
  secrets: readonly string[];
  maxSkewSeconds?: number;
  now?: () => number;
}

const EXPLANATIONS: Record<Exclude<SignatureCheck, { ok: true }>['reason'], [string, string]> = {
  missing: ['signature_required', `Internal routes need a ${SIGNATURE_HEADER} header.`],
  malformed: ['signature_malformed', `The ${SIGNATURE_HEADER} header must be "t=<seconds>,v1=<hex>".`],
  stale: ['signature_stale', "The signature timestamp is too far from this server's clock."],
  invalid: ['signature_invalid', 'The signature does not match the request.'],
  unconfigured: [
    'signature_unconfigured',
    'This service accepts no internal calls: INTERNAL_SECRETS is empty.',
  ],
};

/**
 * Refuses a request to an internal route unless it carries a fresh signature
 * by one of the accepted secrets: 401 problem+json, before any handler runs.
 * Put it in the `middleware` of every `/internal/...` route.
 */
export function requireInternalSignature(options: InternalAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    // Hono caches the body, so the handler can still read it after this.
    const body = await c.req.text();
    const check = verifySignature(
      c.req.header(SIGNATURE_HEADER),
      { method: c.req.method, path: `${url.pathname}${url.search}`, body },
      options.secrets,
      { nowMs: (options.now ?? Date.now)(), maxSkewSeconds: options.maxSkewSeconds },
    );
    if (!check.ok) {
      const [code, detail] = EXPLANATIONS[check.reason];
      throw new Unauthorized(code, detail, { headers: { 'WWW-Authenticate': 'Bonding-Signature' } });
    }
    await next();
  };
}
