import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 request signatures for `/internal/...` calls and event deliveries.
 *
 *   Bonding-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * over `v1\n<t>\n<METHOD>\n<path and query>\n<raw body>`. The timestamp bounds
 * replays; the method and path stop a signature being moved to another route.
 * Each receiving service has its own secret; it accepts two while one rotates.
 */
export const SIGNATURE_HEADER = 'Bonding-Signature';
export const DEFAULT_MAX_SKEW_SECONDS = 300;

export interface SignedRequest {
  method: string;
  /** Path and query string as the receiver sees them, e.g. `/internal/dead-letters?limit=5`. */
  path: string;
  body: string;
}

function mac(secret: string, timestamp: number, request: SignedRequest): Buffer {
  return createHmac('sha256', secret)
    .update(`v1\n${timestamp}\n${request.method.toUpperCase()}\n${request.path}\n`)
    .update(request.body)
    .digest();
}

/** The header value that signs `request` with `secret` at `nowMs`. */
export function signRequest(secret: string, request: SignedRequest, nowMs: number = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, request).toString('hex')}`;
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'invalid' | 'unconfigured' };

const HEADER_FORMAT = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/** Checks a signature header against every accepted secret, in constant time per secret. */
export function verifySignature(
  header: string | undefined,
  request: SignedRequest,
  secrets: readonly string[],
  options: { nowMs?: number; maxSkewSeconds?: number } = {},
): SignatureCheck {
  if (secrets.length === 0) return { ok: false, reason: 'unconfigured' };
  if (!header) return { ok: false, reason: 'missing' };
  const match = HEADER_FORMAT.exec(header.trim());
  if (!match) return { ok: false, reason: 'malformed' };
  const timestamp = Number(match[1]);
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS)) {
    return { ok: false, reason: 'stale' };
  }
  const presented = Buffer.from(match[2] as string, 'hex');
  const matches = secrets.map((secret) => timingSafeEqual(presented, mac(secret, timestamp, request)));
  return matches.includes(true) ? { ok: true } : { ok: false, reason: 'invalid' };
}
