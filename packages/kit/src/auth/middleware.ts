import type { Context, MiddlewareHandler } from 'hono';
import { Forbidden, Unauthorized } from '../errors.js';
import type { Principal, Role } from './principal.js';
import { tokenRefusal } from './token-refusal.js';
import { InvalidToken, type TokenVerifier } from './verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/** OpenAPI `security` for routes that need a bearer token. */
export const bearerSecurity = [{ bearerAuth: [] }];

export interface Guards {
  /** Requires a valid access token; with roles, also one of those roles (403 otherwise). */
  require(...roles: Role[]): MiddlewareHandler;
  /**
   * After `require`: refuses (403 `email_not_verified`) a caller whose token
   * does not carry `email_verified: true`, unless the service runs with
   * REQUIRE_VERIFIED_EMAIL=false. For the routes that move money or apply for loans.
   */
  requireVerifiedEmail(): MiddlewareHandler;
}

export interface GuardOptions {
  /** REQUIRE_VERIFIED_EMAIL: whether `requireVerifiedEmail()` refuses unverified callers (default true). */
  requireVerifiedEmail?: boolean | undefined;
}

export function createGuards(verifier: TokenVerifier, options: GuardOptions = {}): Guards {
  const verifiedEmailRequired = options.requireVerifiedEmail ?? true;
  return {
    requireVerifiedEmail() {
      return async (c, next) => {
        const principal = principalOf(c);
        if (verifiedEmailRequired && !principal.emailVerified) {
          throw new Forbidden(
            'email_not_verified',
            'Verify your e-mail address first (the code was sent to it; ask for a new one at /api/v1/auth/verify-email/resend), then refresh your token.',
          );
        }
        await next();
      };
    },
    require(...roles) {
      return async (c, next) => {
        const header = c.req.header('Authorization');
        if (!header) {
          throw new Unauthorized('authentication_required', 'A bearer access token is required.', {
            headers: { 'WWW-Authenticate': 'Bearer' },
          });
        }
        const match = BEARER.exec(header);
        if (!match?.[1]) {
          throw new Unauthorized('invalid_token', 'The Authorization header must be "Bearer <token>".', {
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
          });
        }
        let principal: Principal;
        try {
          principal = await verifier.verify(match[1]);
        } catch (error) {
          if (!(error instanceof InvalidToken)) throw error;
          throw tokenRefusal(error);
        }
        c.set('principal', principal);
        if (roles.length > 0 && !roles.includes(principal.role)) {
          throw new Forbidden('role_not_allowed', `This action needs one of the roles: ${roles.join(', ')}.`);
        }
        await next();
      };
    },
  };
}

/** The verified caller of a guarded route. */
export function principalOf(c: Context): Principal {
  const principal = c.get('principal');
  if (!principal) throw new Unauthorized('authentication_required', 'A bearer access token is required.');
  return principal;
}
