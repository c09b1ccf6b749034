export { createServiceApp, type ServiceApp, type ServiceAppOptions } from './app.js';
export { type TokenDenylist, UserRevocationList } from './auth/denylist.js';
export { bearerSecurity, createGuards, type Guards, principalOf } from './auth/middleware.js';
export { type Principal, ROLES, type Role } from './auth/principal.js';
export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  createTokenVerifier,
  InvalidToken,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './auth/verifier.js';
export {
  type BaseConfig,
  baseConfigSchema,
  baseConfigShape,
  ConfigError,
  loadConfig,
  parseConfig,
} from './config.js';
export { isDatabaseUnavailable } from './db/availability.js';
export { createDatabase, type Database, type DatabaseOptions } from './db/database.js';
export { type Migration, MigrationError, pendingMigrations, runMigrations } from './db/migrations.js';
export { databaseReadiness } from './db/readiness.js';
export * from './errors.js';
export type { ReadinessCheck } from './http/health.js';
export { jsonBody, problemResponses } from './http/openapi.js';
export { decodeCursor, encodeCursor, pageOf, pageQuerySchema } from './http/pagination.js';
export { PROBLEM_CONTENT_TYPE, type ProblemDocument } from './http/problem.js';
export { createRouter } from './http/router.js';
export { fieldErrors, validationHook } from './http/validation.js';
export { UUID_PATTERN, uuidv7 } from './ids.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { Counter, createServiceMetrics, Gauge, Histogram, type ServiceMetrics } from './metrics.js';
export { type RunningServer, type StartServerOptions, startServer } from './server.js';
