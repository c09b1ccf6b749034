import { randomInt } from 'node:crypto';
import {
  createDatabase,
  createEventRuntime,
  createGuards,
  createIdempotency,
  createLogger,
  createServiceMetrics,
  createTokenVerifier,
  type Logger,
  UserRevocationList,
} from '@bonding/kit';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { LedgerConfig } from './config.js';
import type { LedgerDatabase } from './db/schema.js';
import type { LedgerDeps } from './deps.js';
import { createLedgerMetrics } from './metrics.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildLedgerDeps(
  config: LedgerConfig,
  options: { logger?: Logger; keys?: JWTVerifyGetKey; now?: () => Date } = {},
): { deps: LedgerDeps; close(): Promise<void> } {
  const logger = options.logger ?? createLogger({ service: 'ledger', level: config.LOG_LEVEL });
  const database = createDatabase<LedgerDatabase>({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
  });
  const metrics = createServiceMetrics('ledger');
  const now = options.now ?? (() => new Date());
  const revocations = new UserRevocationList();
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    keys: options.keys ?? createRemoteJWKSet(new URL(config.JWKS_URL)),
    denylist: revocations,
  });
  const events = createEventRuntime({
    service: 'ledger',
    db: database.db,
    databaseName: database.name,
    logger,
    metrics,
    config,
    revocations,
  });
  const deps: LedgerDeps = {
    config,
    db: database.db,
    logger,
    metrics,
    ledgerMetrics: createLedgerMetrics(metrics),
    guards: createGuards(verifier),
    revocations,
    events,
    idempotency: createIdempotency({
      db: database.db,
      registry: metrics.registry,
      leaseMs: config.IDEMPOTENCY_LEASE_MS,
      now,
    }),
    now,
    randomDigit: () => randomInt(10),
  };
  return { deps, close: () => database.close() };
}
