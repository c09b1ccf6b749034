import { verify } from 'node:crypto';
import type { TokenDenylist } from '@bonding/kit';
import type { PluginHandler, RequestContext } from '../context.js';
import type { Credential } from '../declarative/model.js';
import { type EdgeResponse, exitResponse } from '../kong-response.js';
import { denylistRefusal } from './denylist-refusal.js';
import type { JwtConfig } from './schemas.js';

const BEARER = /\s*[Bb]earer\s+(.+)/;
const SUPPORTED_ALGORITHMS = new Set([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
]);

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return cookies;
}

/** Kong's retrieve_tokens: query parameters, then cookies, then headers (first value each). */
function findTokens(ctx: RequestContext, config: JwtConfig): string[] {
  const found = new Set<string>();
  const query = new URLSearchParams(ctx.query);
  for (const name of config.uri_param_names)
    for (const value of query.getAll(name)) if (value) found.add(value);
  const cookies = parseCookies(ctx.request.headers.cookie);
  for (const name of config.cookie_names) {
    const value = cookies.get(name);
    if (value) found.add(value);
  }
  for (const name of config.header_names) {
    const raw = ctx.request.headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const match = value ? BEARER.exec(value) : null;
    if (match?.[1]) found.add(match[1]);
  }
  return [...found];
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** How many verified tokens each credential remembers: a client reuses its token for many requests. */
const VERIFIED_PER_CREDENTIAL = 10_000;
const verifiedTokens = new WeakMap<Credential, Set<string>>();

/**
 * The RS256 signature check, remembered per credential object (a reloaded configuration brings new
 * objects, so a rotated key starts afresh); only the signature is remembered, the claims are checked on
 * every request.
 */
function hasValidSignature(
  credential: Credential,
  token: string,
  parts: string[],
  signature: Buffer,
): boolean {
  let verified = verifiedTokens.get(credential);
  if (verified?.has(token)) return true;
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify('RSA-SHA256', signed, credential.publicKey, signature)) return false;
  if (!verified) {
    verified = new Set();
    verifiedTokens.set(credential, verified);
  }
  // Oldest first out: a Set iterates in insertion order.
  if (verified.size >= VERIFIED_PER_CREDENTIAL) verified.delete(verified.values().next().value as string);
  verified.add(token);
  return true;
}

/**
 * Kong's jwt plugin (KONG-REFERENCE §2) for RS256 credentials: the same token
 * search, the same 401 bodies and WWW-Authenticate values, and the consumer
 * headers sent upstream on success. Beyond Kong: with a denylist, a token that
 * passed is still refused when its user was disabled or its session ended.
 */
export function jwt(
  config: JwtConfig,
  priority: number,
  credentials: Map<string, Credential>,
  now = Date.now,
  denylist?: TokenDenylist,
): PluginHandler {
  const realm = config.realm ? ` realm="${config.realm}"` : '';
  const fail = (body: Record<string, unknown>, tokenFound = true): EdgeResponse =>
    exitResponse(401, body, {
      'WWW-Authenticate': tokenFound ? `Bearer${realm} error="invalid_token"` : `Bearer${realm}`,
    });

  function check(ctx: RequestContext): EdgeResponse | undefined {
    const tokens = findTokens(ctx, config);
    if (tokens.length === 0) return fail({ message: 'Unauthorized' }, false);
    if (tokens.length > 1) return fail({ message: 'Multiple tokens provided' });
    const token = tokens[0] as string;
    const parts = token.split('.');
    const header = parts.length === 3 ? decodeSegment(parts[0] as string) : undefined;
    const claims = parts.length === 3 ? decodeSegment(parts[1] as string) : undefined;
    if (!header || !claims) return fail({ message: 'Bad token; invalid JSON' });
    if (typeof header.alg !== 'string' || !SUPPORTED_ALGORITHMS.has(header.alg))
      return fail({ message: 'Bad token; invalid alg' });
    const signature = Buffer.from(parts[2] as string, 'base64url');
    if (signature.length === 0) return fail({ message: 'Bad token; invalid signature' });

    const claimName = config.key_claim_name;
    const key = claims[claimName] ?? header[claimName];
    if (key === undefined || key === null) return fail({ message: `No mandatory '${claimName}' in claims` });
    if (key === '') return fail({ message: `Invalid '${claimName}' in claims` });
    const credential = credentials.get(String(key));
    if (!credential) return fail({ message: `No credentials found for given '${claimName}'` });
    if (header.alg !== credential.algorithm) return fail({ message: 'Invalid algorithm' });
    if (!hasValidSignature(credential, token, parts, signature))
      return fail({ message: 'Invalid signature' });

    const errors: Record<string, string> = {};
    const nowSeconds = now() / 1000;
    for (const claim of config.claims_to_verify) {
      const value = claims[claim];
      if (typeof value !== 'number') errors[claim] = 'must be a number';
      else if (claim === 'exp' && value <= nowSeconds) errors.exp = 'token expired';
      else if (claim === 'nbf' && value > nowSeconds) errors.nbf = 'token not valid yet';
    }
    if (Object.keys(errors).length > 0) return fail(errors);
    if (config.maximum_expiration > 0) {
      const exp = claims.exp;
      if (typeof exp !== 'number' || exp - nowSeconds > config.maximum_expiration) {
        return fail({ exp: 'exceeds maximum allowed expiration' });
      }
    }
    const refused = denylist && denylistRefusal(denylist, ctx, claims);
    if (refused) return refused;

    ctx.consumer = credential.consumer;
    ctx.credential = credential;
    const upstream = ctx.upstreamHeaders;
    upstream['x-consumer-id'] = credential.consumer.id;
    if (credential.consumer.customId) upstream['x-consumer-custom-id'] = credential.consumer.customId;
    else delete upstream['x-consumer-custom-id'];
    if (credential.consumer.username) upstream['x-consumer-username'] = credential.consumer.username;
    else delete upstream['x-consumer-username'];
    upstream['x-credential-identifier'] = credential.key;
    delete upstream['x-anonymous-consumer'];
    return undefined;
  }

  return {
    name: 'jwt',
    priority,
    access(ctx) {
      if (!config.run_on_preflight && ctx.method === 'OPTIONS') return undefined;
      return check(ctx);
    },
  };
}
