import { Unauthorized } from '../errors.js';
import type { InvalidToken } from './verifier.js';

/** The 401 answer to each reason a token is refused. */
const REFUSED: Record<InvalidToken['reason'], { code: string; detail: string }> = {
  expired: { code: 'token_expired', detail: 'The access token is expired.' },
  invalid: { code: 'invalid_token', detail: 'The access token is invalid.' },
  revoked: { code: 'token_revoked', detail: 'The access token is revoked.' },
  session_ended: {
    code: 'session_ended',
    detail:
      'The session this access token belongs to has ended (signed out or ended by the account). Sign in again.',
  },
};

/**
 * The 401 a refused token gets. Shared by the services' guard and the local gateway, so a client sees one
 * answer whichever layer refuses the token.
 */
export function tokenRefusal(error: InvalidToken): Unauthorized {
  const { code, detail } = REFUSED[error.reason];
  return new Unauthorized(code, detail, {
    headers: {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message}"`,
    },
  });
}
