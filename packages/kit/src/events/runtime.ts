import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { UserRevocationList } from '../auth/denylist.js';
import type { ServiceMetrics } from '../metrics.js';
import { runUntraced } from '../tracing/untraced.js';
import type { EventConfig } from './config.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import type { EventHandlers } from './event-handlers.js';
import { createHttpPushTransport } from './http-push-transport.js';
import { eventInboxRoutes } from './inbox.js';
import { purgeEventTables } from './purge.js';
import { OutboxRelay } from './relay.js';
import { RevocationSync } from './revocations.js';
import { sessionEndedHandler } from './session-ended-handler.js';
import type { EventTransport } from './transport.js';
import { userDisabledHandler } from './user-disabled-handler.js';

export interface EventRuntimeOptions<DB> {
  /** This service's name: the `source` of its events. */
  service: string;
  db: Kysely<DB>;
  databaseName: string;
  logger: Logger;
  metrics: ServiceMetrics;
  config: EventConfig;
  /**
   * The token denylist the service's verifier consults. With it, the runtime
   * keeps it in step with the persisted revocations, and the inbox applies
   * `user.disabled` to it.
   */
  revocations?: UserRevocationList;
  /** Replaces HTTP push (tests, or a broker later). */
  transport?: EventTransport;
}

/** The events backbone of one service: its relay, purge, revocation sync, and the options its routes need. */
export interface EventRuntime<DB> {
  readonly options: EventRuntimeOptions<DB>;
  readonly relay: OutboxRelay;
  /** Loads persisted revocations (before the service takes traffic), then starts the background work. */
  start(): Promise<void>;
  /** Stops the background work; for startServer's cleanups, before the database closes. */
  stop(): Promise<void>;
}

export function createEventRuntime<DB>(options: EventRuntimeOptions<DB>): EventRuntime<DB> {
  const { config, db, logger } = options;
  const relayLogger = logger.child({ component: 'outbox-relay' });
  const relay = new OutboxRelay({
    db,
    databaseName: options.databaseName,
    source: options.service,
    subscribers: config.EVENT_SUBSCRIBERS,
    transport:
      options.transport ??
      createHttpPushTransport({
        peerSecrets: config.INTERNAL_PEER_SECRETS,
        timeoutMs: config.EVENT_DELIVERY_TIMEOUT_MS,
        userAgent: `bonding-outbox-relay/${options.service}`,
      }),
    logger: relayLogger,
    registry: options.metrics.registry,
    settings: {
      pollIntervalMs: config.EVENT_POLL_INTERVAL_MS,
      deliveryTimeoutMs: config.EVENT_DELIVERY_TIMEOUT_MS,
      maxAttempts: config.EVENT_MAX_ATTEMPTS,
      concurrency: config.EVENT_CONCURRENCY,
      baseMs: config.EVENT_RETRY_BASE_MS,
      maxMs: config.EVENT_RETRY_MAX_MS,
    },
  });
  const sync = options.revocations
    ? new RevocationSync(db, options.revocations, logger, config.REVOCATION_SYNC_INTERVAL_MS)
    : undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function purge(): Promise<void> {
    try {
      const purged = await purgeEventTables(db, {
        outboxRetentionMs: config.EVENT_RETENTION_HOURS * 3_600_000,
        inboxRetentionMs: config.INBOX_RETENTION_HOURS * 3_600_000,
      });
      logger.info({ purged }, 'event tables purged');
    } catch (error) {
      logger.error({ err: error }, 'purging the event tables failed; will retry');
    }
  }
  function schedulePurge(): void {
    if (stopped) return;
    // Jittered, so replicas started together do not purge together.
    const delay = config.EVENT_PURGE_INTERVAL_MS * (0.75 + Math.random() / 2);
    purgeTimer = setTimeout(() => void runUntraced(purge).finally(schedulePurge), delay);
  }

  if (config.INTERNAL_SECRETS.length === 0) {
    logger.warn('INTERNAL_SECRETS is empty: /internal routes will refuse every call');
  }

  return {
    options,
    relay,
    async start() {
      await sync?.start();
      relay.start();
      schedulePurge();
    },
    async stop() {
      stopped = true;
      clearTimeout(purgeTimer);
      sync?.stop();
      await relay.stop();
    },
  };
}

/**
 * Mounts the service's internal event routes: `/internal/dead-letters…` (list
 * and replay), and `/internal/events` when it consumes anything — its handlers,
 * plus `user.disabled` into the token denylist when the runtime has one.
 */
export function mountEventRoutes<DB>(
  app: OpenAPIHono,
  runtime: EventRuntime<DB>,
  consumer: { handlers?: EventHandlers<DB>; consumeUserDisabled?: boolean } = {},
): void {
  const { db, config, logger, metrics, revocations } = runtime.options;
  const secrets = {
    secrets: config.INTERNAL_SECRETS,
    maxSkewSeconds: config.INTERNAL_SIGNATURE_MAX_SKEW_SECONDS,
  };
  const handlers: EventHandlers<DB> = { ...consumer.handlers };
  if (revocations && consumer.consumeUserDisabled !== false) {
    handlers['user.disabled@1'] = userDisabledHandler(revocations, consumer.handlers?.['user.disabled@1']);
    handlers['session.ended@1'] = sessionEndedHandler(revocations);
  }
  if (Object.keys(handlers).length > 0) {
    app.route(
      '/internal',
      eventInboxRoutes({ db, logger, registry: metrics.registry, handlers, ...secrets }),
    );
  }
  app.route('/internal', deadLetterRoutes({ db, ...secrets }));
}
