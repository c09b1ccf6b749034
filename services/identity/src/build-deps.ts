import {
  createDatabase,
  createEventRuntime,
  createGuards,
  createLogger,
  createServiceMetrics,
  createTokenVerifier,
  type Logger,
  UserRevocationList,
} from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import type { IdentityConfig } from './config.js';
import type { IdentityDatabase } from './db/schema.js';
import type { IdentityDeps } from './deps.js';
import { createDecoyHash } from './domain/passwords.js';
import { loadKeyRing, publicJwks } from './domain/signing-keys.js';
import { createIdentityMetrics } from './metrics.js';

export interface BuiltIdentity {
  deps: IdentityDeps;
  close(): Promise<void>;
}

/** Wires the service from its configuration; shared by main.ts and the tests. */
export async function buildIdentityDeps(
  config: IdentityConfig,
  options: { logger?: Logger; now?: () => Date } = {},
): Promise<BuiltIdentity> {
  const logger = options.logger ?? createLogger({ service: 'identity', level: config.LOG_LEVEL });
  const database = createDatabase<IdentityDatabase>({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
  });
  const keys = loadKeyRing(config.JWT_KEYS_DIR, config.JWT_ACTIVE_KID);
  const metrics = createServiceMetrics('identity');
  const revocations = new UserRevocationList();
  const now = options.now ?? (() => new Date());
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    // Identity holds the keys itself; other services fetch them from its JWKS.
    keys: createLocalJWKSet(publicJwks(keys)),
    denylist: revocations,
    now: () => now().getTime(),
  });
  // Other replicas learn of a disable through the revoked_users table this keeps in step with.
  const events = createEventRuntime({
    service: 'identity',
    db: database.db,
    databaseName: database.name,
    logger,
    metrics,
    config,
    revocations,
  });
  const deps: IdentityDeps = {
    config,
    db: database.db,
    keys,
    logger,
    metrics,
    identityMetrics: createIdentityMetrics(metrics),
    guards: createGuards(verifier),
    revocations,
    events,
    decoyPasswordHash: await createDecoyHash(),
    now,
  };
  return { deps, close: () => database.close() };
}
