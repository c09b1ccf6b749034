import {
  PROBLEM_CONTENT_TYPE,
  problemDocument,
  refusedToken,
  type TokenDenylist,
  type TokenSubject,
  tokenRefusal,
} from '@bonding/kit';
import type { RequestContext } from '../context.js';
import type { EdgeResponse } from '../kong-response.js';

/**
 * The claims the services' verifier decides on, or nothing when they are not there: such a token is
 * refused by the service as invalid, and the edge leaves that answer to it.
 */
function subjectOf(claims: Record<string, unknown>): TokenSubject | undefined {
  if (typeof claims.sub !== 'string' || typeof claims.iat !== 'number') return undefined;
  return {
    userId: claims.sub,
    issuedAt: claims.iat,
    sessionId: typeof claims.sid === 'string' ? claims.sid : undefined,
  };
}

/**
 * What Kong cannot do and the local gateway does: refuse a token of a disabled user or an ended session,
 * with the services' own 401 (problem+json, `token_revoked` / `session_ended`, the same WWW-Authenticate),
 * so a client gets one answer whichever layer refuses it.
 */
export function denylistRefusal(
  denylist: TokenDenylist,
  ctx: RequestContext,
  claims: Record<string, unknown>,
): EdgeResponse | undefined {
  const subject = subjectOf(claims);
  const refusal = subject && denylist.refusal(subject);
  if (!refusal) return undefined;
  const error = tokenRefusal(refusedToken(refusal));
  // The id correlation-id sent upstream: the one the service would have put in its body.
  const requestId = ctx.upstreamHeaders['x-request-id'];
  const body = problemDocument(error, ctx.path, typeof requestId === 'string' ? requestId : undefined);
  return {
    status: error.status,
    headers: { ...error.headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(body),
  };
}
