import {
  createDatabase,
  createEventRuntime,
  createFieldCipher,
  createGuards,
  createLogger,
  createServiceMetrics,
  createTokenVerifier,
  type Logger,
  UserRevocationList,
} from '@bonding/kit';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { StudentsConfig } from './config.js';
import type { StudentsDatabase } from './db/schema.js';
import type { StudentsDeps } from './deps.js';
import { createSensitiveFields } from './domain/sensitive-fields.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildStudentsDeps(
  config: StudentsConfig,
  options: { logger?: Logger; keys?: JWTVerifyGetKey; now?: () => Date } = {},
): { deps: StudentsDeps; close(): Promise<void> } {
  const database = createDatabase<StudentsDatabase>({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
  });
  const revocations = new UserRevocationList();
  const logger = options.logger ?? createLogger({ service: 'students', level: config.LOG_LEVEL });
  const metrics = createServiceMetrics('students');
  // Passing the denylist makes the service consume user.disabled and share revocations across replicas.
  const events = createEventRuntime({
    service: 'students',
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
  const cipher = createFieldCipher(config.FIELD_ENCRYPTION_KEYS, config.FIELD_ENCRYPTION_ACTIVE_KID);
  const deps: StudentsDeps = {
    config,
    db: database.db,
    logger,
    metrics,
    guards: createGuards(verifier),
    revocations,
    events,
    sensitive: createSensitiveFields(cipher, config.BLIND_INDEX_KEY),
    now: options.now ?? (() => new Date()),
  };
  return { deps, close: () => database.close() };
}
