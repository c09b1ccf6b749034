export { createServiceApp, type ServiceApp, type ServiceAppOptions } from './app.js';
export {
  type Refusal,
  type TokenDenylist,
  type TokenSubject,
  UserRevocationList,
} from './auth/denylist.js';
export {
  bearerSecurity,
  createGuards,
  type GuardOptions,
  type Guards,
  principalOf,
} from './auth/middleware.js';
export { type Principal, ROLES, type Role } from './auth/principal.js';
export { createEndedSessionsTable } from './auth/revocation-tables.js';
export {
  loadRevocations,
  REVOCATION_RETENTION_SECONDS,
  recordEndedSessions,
  recordRevocation,
  syncRevocations,
} from './auth/revocations.js';
export { tokenRefusal } from './auth/token-refusal.js';
export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  createTokenVerifier,
  InvalidToken,
  refusedToken,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './auth/verifier.js';
export { type BackoffSettings, retryDelayMs } from './backoff.js';
export {
  type BaseConfig,
  baseConfigSchema,
  baseConfigShape,
  ConfigError,
  loadConfig,
  parseConfig,
} from './config.js';
export {
  blindIndex,
  createFieldCipher,
  type FieldCipher,
  FieldCipherError,
  maskLastFour,
  parseFieldKeys,
} from './crypto/field-cipher.js';
export { isDatabaseUnavailable } from './db/availability.js';
export { createDatabase, type Database, type DatabaseOptions } from './db/database.js';
export { isRetryableTransactionError, retryOnDeadlock } from './db/deadlock-retry.js';
export { migrateFromCli } from './db/migrate-cli.js';
export { type Migration, MigrationError, pendingMigrations, runMigrations } from './db/migrations.js';
export { countingPool, createPoolMetrics, type PoolMetrics } from './db/pool-metrics.js';
export { databaseReadiness } from './db/readiness.js';
export { EMAIL_FORMAT } from './email-format.js';
export * from './errors.js';
export {
  checkEventConfig,
  type EventConfig,
  eventConfigSchema,
  eventConfigShape,
} from './events/config.js';
export {
  createEventTables,
  dropOutboxDeliveries,
} from './events/create-event-tables.js';
export { deadLettersFromCli, inboxDeadLetterCommand } from './events/dead-letter-cli.js';
export { deadLetterRoutes } from './events/dead-letter-routes.js';
export { type EmittedEvent, emitEvent, InvalidEvent } from './events/emit.js';
export {
  type ConsumedEvent,
  type EventHandler,
  type EventHandlerContext,
  type EventHandlers,
  EventRejected,
} from './events/event-handlers.js';
export {
  type Accepted,
  acceptEvent,
  applyEvent,
  applyInInbox,
  type InboxEvent,
  parseEnvelope,
  runAfterCommit,
} from './events/inbox.js';
export {
  connectNats,
  connectWhenReachable,
  inboxPrefixOf,
  type NatsAuth,
  natsAuthOptions,
} from './events/jetstream/connection.js';
export { JetStreamConsumer, type JetStreamConsumerSettings } from './events/jetstream/consumer.js';
export {
  createInboxDeadLetterTables,
  discardInboxDeadLetters,
  type InboxDeadLetterTables,
  listInboxDeadLetters,
  replayInboxDeadLetters,
} from './events/jetstream/dead-letters.js';
export {
  OutboxPublisher,
  type OutboxPublisherSettings,
  publishOutboxEvent,
} from './events/jetstream/outbox-publisher.js';
export {
  durablesOf,
  PARTITIONS,
  partitionOf,
  privateRootOf,
  privateStreamOf,
  subjectOf,
} from './events/jetstream/subjects.js';
export { type EventMetrics, eventMetrics } from './events/metrics.js';
export { purgeEventTables } from './events/purge.js';
export { refuseDisabledUser, refuseEndedSessions } from './events/revocation-handlers.js';
export {
  type AppliedEvent,
  type ConsumeOptions,
  createEventRuntime,
  type EventRuntime,
  mountEventRoutes,
} from './events/runtime.js';
export { parseSubscriptions } from './events/subscribers.js';
export type { EventTables } from './events/tables.js';
export { etagFor, versionFromIfMatch } from './http/etag.js';
export { inexactNumbers, requireExactIntegers } from './http/exact-integers.js';
export { atLeastOneField, oneOfFields, someOfFields } from './http/field-rules.js';
export type { ReadinessCheck } from './http/health.js';
export { jsonBody, problemResponses } from './http/openapi.js';
export {
  afterIdOf,
  decodeCursor,
  encodeCursor,
  pageById,
  pageOf,
  pageQuery,
  pageQuerySchema,
} from './http/pagination.js';
export { PROBLEM_CONTENT_TYPE, type ProblemDocument, problemDocument } from './http/problem.js';
export {
  IdempotencyKeyHeaderSchema,
  IfMatchHeaderSchema,
  OptionalIfMatchHeaderSchema,
} from './http/request-headers.js';
export { createRouter } from './http/router.js';
export { fieldErrors, validationHook } from './http/validation.js';
export { idempotencyConfigShape } from './idempotency/config.js';
export {
  createIdempotency,
  type Idempotency,
  type IdempotencyClaim,
  type IdempotencyOptions,
  idempotencyClaimOf,
} from './idempotency/middleware.js';
export { purgeIdempotencyPeriodically } from './idempotency/purge-task.js';
export { type ClaimOutcome, purgeIdempotencyRecords, type StoredResponse } from './idempotency/records.js';
export {
  IDEMPOTENCY_KEY_HEADER,
  isValidIdempotencyKey,
  REPLAYED_HEADER,
  requestFingerprint,
} from './idempotency/request.js';
export {
  createIdempotencyTable,
  type IdempotencyRecordsTable,
  type IdempotencyTables,
} from './idempotency/table.js';
export { UUID_PATTERN, uuidv7 } from './ids.js';
export { requireInternalSignature } from './internal/require-signature.js';
export { parseAcceptedSecrets, parsePeerSecrets } from './internal/secrets.js';
export { SIGNATURE_HEADER, signRequest, verifySignature } from './internal/signature.js';
export { type SignedFetchOptions, signedFetch } from './internal/signed-fetch.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { Counter, createServiceMetrics, Gauge, Histogram, type ServiceMetrics } from './metrics.js';
export { MAX_MINOR_UNITS, minorUnits, toJsonAmount } from './money.js';
export { type PeriodicTask, runPeriodically } from './periodic.js';
export { type RunServiceOptions, runService } from './run-service.js';
export { type RunningServer, type StartServerOptions, startServer } from './server.js';
export { createServiceCore, type ServiceCore, type ServiceCoreOptions } from './service-core.js';
export { REQUEST_ID_ATTRIBUTE, tagSpanWithRequestId } from './tracing/request-id.js';
export { runUntraced } from './tracing/untraced.js';
