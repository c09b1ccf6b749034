import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import type { IdentityDeps } from './deps.js';
import { accountRoutes } from './routes/account.js';
import { authRoutes } from './routes/auth.js';
import { emailChangeRoutes } from './routes/email-change.js';
import { jwksRoutes } from './routes/jwks.js';
import { loginMfaRoutes } from './routes/login-mfa.js';
import { mfaRoutes } from './routes/mfa.js';
import { userRoutes } from './routes/users.js';

export const SERVICE_NAME = 'identity';
export const SERVICE_VERSION = '0.1.0';

export function createIdentityApp(deps: IdentityDeps) {
  const service = createServiceApp({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description: 'Users, roles, sign-in, refresh-token sessions and the signing keys of the platform.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: databaseReadiness(deps.db, migrations),
  });
  service.app
    .route('/', jwksRoutes(deps))
    .route('/api/v1', authRoutes(deps))
    .route('/api/v1', loginMfaRoutes(deps))
    .route('/api/v1', accountRoutes(deps))
    .route('/api/v1', emailChangeRoutes(deps))
    .route('/api/v1', mfaRoutes(deps))
    .route('/api/v1', userRoutes(deps));
  // Identity consumes no events (it is where user.disabled comes from); it serves its dead letters.
  mountEventRoutes(service.app, deps.events, { consumeUserDisabled: false });
  return service;
}
