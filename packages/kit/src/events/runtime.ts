import type { EventEnvelope } from '@bonding/contracts';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { UserRevocationList } from '../auth/denylist.js';
import { syncRevocations } from '../auth/revocations.js';
import type { ServiceMetrics } from '../metrics.js';
import { type PeriodicTask, runPeriodically } from '../periodic.js';
import { runUntraced } from '../tracing/untraced.js';
import type { EventConfig } from './config.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { type EventHandlers, refusalOf } from './event-handlers.js';
import { acceptEvent, applyEvent } from './inbox.js';
import { connectWhenReachable, inboxPrefixOf } from './jetstream/connection.js';
import { JetStreamConsumer, type JetStreamConsumerSettings } from './jetstream/consumer.js';
import { OutboxPublisher, type OutboxPublisherSettings } from './jetstream/outbox-publisher.js';
import { purgeEventTables } from './purge.js';
import { sessionEndedHandler, userDisabledHandler } from './revocation-handlers.js';

export interface EventRuntimeOptions<DB> {
  /** This service's name: the `source` of its events and the name of its durables. */
  service: string;
  db: Kysely<DB>;
  databaseName: string;
  logger: Logger;
  metrics: ServiceMetrics;
  config: EventConfig;
  /**
   * The token denylist the service's verifier consults. With it, the runtime
   * keeps it in step with the persisted revocations, and consumes
   * `user.disabled` and `session.ended` into it.
   */
  revocations?: UserRevocationList;
  /** Settings the environment does not carry (tests shorten pauses). */
  publisher?: Partial<OutboxPublisherSettings>;
  consumer?: Partial<JetStreamConsumerSettings>;
}

export interface ConsumeOptions<DB> {
  handlers?: EventHandlers<DB>;
  /** Whether the built-in user.disabled / session.ended handlers run (default: with `revocations`). */
  consumeUserDisabled?: boolean;
}

/** What applying one event came to: applied, a repeat of an applied one, or refused for good (a dead letter). */
export type AppliedEvent = { outcome: 'processed' | 'duplicate' } | { outcome: 'refused'; reason: string };

/** The events backbone of one service: its JetStream publisher and consumer, purge and revocation sync. */
export interface EventRuntime<DB> {
  readonly options: EventRuntimeOptions<DB>;
  /**
   * The service's handlers by `type@version`, given before start() (the consumer takes them when it
   * starts): the built-in user.disabled and session.ended ones are added when the runtime has the denylist
   * (unless told not to).
   */
  consume(consumer?: ConsumeOptions<DB>): void;
  /** Every handler the consumer will run (the service's and the built-in ones). */
  readonly handlers: EventHandlers<DB>;
  /**
   * Loads persisted revocations (before the service takes traffic), then starts the background work:
   * publishing the outbox and consuming the service's durables start once NATS answers, never waited for
   * (a service must take requests, and write its outbox, while the broker is away).
   */
  start(): Promise<void>;
  /**
   * Applies one event as the consumer does (a handler for its type@version, its data per the contract, then
   * the inbox transaction and the after-commit effects), without the broker: for service tests and tools.
   * A handler failing for a retry throws.
   */
  apply(envelope: EventEnvelope): Promise<AppliedEvent>;
  /** Resolves once connected to NATS and publishing/consuming (tests). */
  ready(): Promise<void>;
  /** Stops the background work (events being applied finish); for startServer's cleanups, before the database closes. */
  stop(): Promise<void>;
}

export function createEventRuntime<DB>(options: EventRuntimeOptions<DB>): EventRuntime<DB> {
  const { config, db, logger } = options;
  let handlers: EventHandlers<DB> = {};
  let consumeBuiltIns = true;
  let nats: ReturnType<typeof connectWhenReachable> | undefined;
  let nc: NatsConnection | undefined;
  let publisher: OutboxPublisher | undefined;
  let consumer: JetStreamConsumer<DB> | undefined;
  let background: PeriodicTask[] = [];

  async function purge(): Promise<void> {
    const purged = await purgeEventTables(db, {
      outboxRetentionMs: config.EVENT_RETENTION_HOURS * 3_600_000,
      inboxRetentionMs: config.INBOX_RETENTION_HOURS * 3_600_000,
      deadLetters: consuming(),
    });
    logger.info({ purged }, 'event tables purged');
  }

  /** Whether the service consumes anything (and so has the inbox dead-letter tables). */
  const consuming = () => Object.keys(allHandlers()).length > 0;

  function allHandlers(): EventHandlers<DB> {
    const all: EventHandlers<DB> = { ...handlers };
    if (options.revocations && consumeBuiltIns) {
      all['user.disabled@1'] = userDisabledHandler(options.revocations, handlers['user.disabled@1']);
      all['session.ended@1'] = sessionEndedHandler(options.revocations);
    }
    return all;
  }

  return {
    options,
    consume(consumer = {}) {
      handlers = { ...handlers, ...consumer.handlers };
      if (consumer.consumeUserDisabled === false) consumeBuiltIns = false;
    },
    get handlers() {
      return allHandlers();
    },
    async start() {
      if (options.revocations) {
        background.push(
          await syncRevocations(db, options.revocations, logger, config.REVOCATION_SYNC_INTERVAL_MS),
        );
      }
      const handled = Object.keys(allHandlers());
      if (handled.length > 0 && config.EVENT_SUBSCRIPTIONS.length === 0) {
        // The chart or a hand-written environment without the service's subscriptions: say so, loudly.
        logger.warn(
          { handled },
          'EVENT_SUBSCRIPTIONS is empty: this service handles events but consumes none (see platform/shape.ts)',
        );
      }
      const events = logger.child({ component: 'jetstream' });
      nats = connectWhenReachable(
        config.NATS_URL,
        options.service,
        {
          auth: {
            user: config.NATS_USER,
            password: config.NATS_PASSWORD,
            tlsCaFile: config.NATS_TLS_CA_FILE,
          },
          // Replies, pulled events included, on inbox subjects its NATS user alone may subscribe to.
          inboxPrefix: inboxPrefixOf(options.service),
        },
        (error, attempt, retryInMs) =>
          (attempt === 1 ? events.warn : events.debug).call(
            events,
            { err: error, retryInMs },
            'NATS is not reachable; events wait in the outbox',
          ),
      );
      void nats.connection.then((connection) => {
        if (!connection) return;
        nc = connection;
        const js = jetstream(connection);
        publisher = new OutboxPublisher({
          db,
          databaseName: options.databaseName,
          source: options.service,
          js,
          stream: config.NATS_STREAM,
          prefix: config.NATS_SUBJECT_PREFIX,
          logger: events.child({ part: 'publisher' }),
          settings: { pollIntervalMs: config.EVENT_POLL_INTERVAL_MS, ...options.publisher },
        });
        publisher.start();
        if (handled.length > 0 && config.EVENT_SUBSCRIPTIONS.length > 0) {
          consumer = new JetStreamConsumer({
            service: options.service,
            js,
            stream: config.NATS_STREAM,
            patterns: config.EVENT_SUBSCRIPTIONS,
            db,
            handlers: allHandlers(),
            logger: events.child({ part: 'consumer' }),
            registry: options.metrics.registry,
            settings: {
              maxAttempts: config.EVENT_MAX_ATTEMPTS,
              retry: { baseMs: config.EVENT_RETRY_BASE_MS, maxMs: config.EVENT_RETRY_MAX_MS },
              ...options.consumer,
            },
          });
          consumer.start();
        }
        events.info({ consumes: consumer !== undefined }, 'events over JetStream started');
      });
      background.push(
        runPeriodically(
          'purge the event tables',
          config.EVENT_PURGE_INTERVAL_MS,
          () => runUntraced(purge),
          logger,
        ),
      );
    },
    async apply(envelope) {
      const all = allHandlers();
      const accepted = acceptEvent(envelope, Object.keys(all));
      if (!accepted.ok) return { outcome: 'refused', reason: accepted.reason };
      const eventLogger = logger.child({ eventId: envelope.id, eventType: accepted.event.key });
      try {
        return { outcome: await applyEvent<DB>(db, all, accepted.event, eventLogger) };
      } catch (error) {
        const reason = refusalOf(error);
        if (reason === undefined) throw error;
        return { outcome: 'refused', reason };
      }
    },
    async ready() {
      await nats?.connection;
    },
    async stop() {
      await Promise.all(background.map((task) => task.stop()));
      background = [];
      nats?.cancel();
      await nats?.connection;
      await publisher?.stop();
      await consumer?.stop();
      // Draining ends the open pulls and flushes acks in flight; close() alone would drop them.
      await nc?.drain().catch(() => nc?.close());
      await consumer?.stopped();
    },
  };
}

/**
 * Gives the runtime the service's event handlers (plus the built-in user.disabled / session.ended ones when
 * it has the denylist), which its JetStream consumer runs, and, when it consumes anything, mounts the
 * internal routes on its own dead letters.
 */
export function mountEventRoutes<DB>(
  app: OpenAPIHono,
  runtime: EventRuntime<DB>,
  consumer: ConsumeOptions<DB> = {},
): void {
  const { db, config, service } = runtime.options;
  runtime.consume(consumer);
  if (Object.keys(runtime.handlers).length === 0) return;
  app.route(
    '/internal',
    deadLetterRoutes({
      db,
      service,
      secrets: config.INTERNAL_SECRETS,
      maxSkewSeconds: config.INTERNAL_SIGNATURE_MAX_SKEW_SECONDS,
    }),
  );
}
