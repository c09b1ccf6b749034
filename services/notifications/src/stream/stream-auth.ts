import { type Principal, Unauthorized } from '@bonding/kit';
import type { Context } from 'hono';
import { redeemTicket } from '../db/stream-tickets.js';
import type { NotificationsDeps } from '../deps.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Who is opening the stream: a bearer token in Authorization (fetch-based
 * clients), or else a one-time ticket in `?ticket=` (EventSource cannot send
 * headers). The edge checks neither on this route, so this is the check.
 */
export async function authenticateStream(c: Context, deps: NotificationsDeps): Promise<Principal> {
  if (c.req.header('Authorization') !== undefined) {
    await deps.guards.require()(c, async () => {});
    return c.get('principal');
  }
  const ticket = c.req.query('ticket');
  if (!ticket) {
    throw new Unauthorized(
      'authentication_required',
      'Send a bearer access token, or a ticket from POST /api/v1/notifications/stream-tickets as ?ticket=.',
      { headers: { 'WWW-Authenticate': 'Bearer' } },
    );
  }
  const row = await redeemTicket(deps.db, ticket, deps.now());
  if (!row) {
    throw new Unauthorized('invalid_ticket', 'This stream ticket is unknown, already used or expired.');
  }
  const principal: Principal = {
    userId: row.user_id,
    role: row.role,
    tokenId: `ticket:${row.ticket_hash.slice(0, 16)}`,
    sessionId: row.session_id ?? undefined,
    // The stream only reads the user's own notices; nothing here asks for a verified e-mail.
    emailVerified: false,
    issuedAt: seconds(row.token_issued_at),
    expiresAt: seconds(row.token_expires_at),
    token: '',
  };
  // The user may have been disabled, or the session ended, since the ticket was issued.
  const refusal = deps.revocations.refusal(principal);
  if (refusal === 'session_ended') {
    throw new Unauthorized(
      'session_ended',
      'The session this ticket was issued for has ended. Sign in again.',
    );
  }
  if (refusal) {
    throw new Unauthorized('token_revoked', 'The access token this ticket was issued for is revoked.');
  }
  c.set('principal', principal);
  return principal;
}
