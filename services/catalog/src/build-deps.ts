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
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { CatalogConfig } from './config.js';
import type { CatalogDatabase } from './db/schema.js';
import type { CatalogDeps } from './deps.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildCatalogDeps(
  config: CatalogConfig,
  options: { logger?: Logger; keys?: JWTVerifyGetKey; now?: () => Date } = {},
): { deps: CatalogDeps; close(): Promise<void> } {
  const database = createDatabase<CatalogDatabase>({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
  });
  const revocations = new UserRevocationList();
  const logger = options.logger ?? createLogger({ service: 'catalog', level: config.LOG_LEVEL });
  const metrics = createServiceMetrics('catalog');
  // Passing the denylist makes the service consume user.disabled and share revocations across replicas.
  const events = createEventRuntime({
    service: 'catalog',
    db: database.db,
    databaseName: database.name,
    logger,
    metrics,
    config,
    revocations,
  });
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    keys: options.keys ?? createRemoteJWKSet(new URL(config.JWKS_URL)),
    denylist: revocations,
  });
  const deps: CatalogDeps = {
    config,
    db: database.db,
    logger,
    metrics,
    guards: createGuards(verifier),
    revocations,
    events,
    now: options.now ?? (() => new Date()),
  };
  return { deps, close: () => database.close() };
}
