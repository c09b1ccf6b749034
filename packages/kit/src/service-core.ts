import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import { UserRevocationList } from './auth/denylist.js';
import { createGuards, type Guards } from './auth/middleware.js';
import { createTokenVerifier } from './auth/verifier.js';
import type { BaseConfig } from './config.js';
import { createDatabase } from './db/database.js';
import type { EventConfig } from './events/config.js';
import { createEventRuntime, type EventRuntime } from './events/runtime.js';
import { createLogger, type Logger } from './logger.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';

export interface ServiceCoreOptions {
  logger?: Logger | undefined;
  /** Token verification keys; by default identity's JWKS at JWKS_URL. Tests pass a test issuer's. */
  keys?: JWTVerifyGetKey | undefined;
  now?: (() => Date) | undefined;
}

/** What every service is built on: its database, logs, metrics, token checks and events backbone. */
export interface ServiceCore<DB> {
  db: Kysely<DB>;
  databaseName: string;
  logger: Logger;
  metrics: ServiceMetrics;
  revocations: UserRevocationList;
  guards: Guards;
  events: EventRuntime<DB>;
  now: () => Date;
  /** Closes the database pool (after the events runtime has stopped). */
  close(): Promise<void>;
}

/**
 * Wires the shared parts of a service from its configuration. The denylist is
 * given to the events runtime, so the service consumes `user.disabled` and shares
 * revocations with its other replicas.
 */
export function createServiceCore<DB>(
  service: string,
  config: BaseConfig & EventConfig,
  options: ServiceCoreOptions = {},
): ServiceCore<DB> {
  const logger = options.logger ?? createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createServiceMetrics(service);
  const database = createDatabase<DB>({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
    lockWaitTimeoutSeconds: config.MYSQL_LOCK_WAIT_TIMEOUT_SECONDS,
    registry: metrics.registry,
  });
  const now = options.now ?? (() => new Date());
  const revocations = new UserRevocationList();
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    keys: options.keys ?? createRemoteJWKSet(new URL(config.JWKS_URL)),
    denylist: revocations,
    now: () => now().getTime(),
  });
  const events = createEventRuntime<DB>({
    service,
    db: database.db,
    databaseName: database.name,
    logger,
    metrics,
    config,
    revocations,
  });
  return {
    db: database.db,
    databaseName: database.name,
    logger,
    metrics,
    revocations,
    guards: createGuards(verifier, { requireVerifiedEmail: config.REQUIRE_VERIFIED_EMAIL }),
    events,
    now,
    close: () => database.close(),
  };
}
