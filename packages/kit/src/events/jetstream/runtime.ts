import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { retryDelayMs } from '../backoff.js';
import type { EventHandlers } from '../event-handlers.js';
import { connectNats, inboxPrefixOf, type NatsAuth } from './connection.js';
import { JetStreamConsumer, type JetStreamConsumerSettings } from './consumer.js';
import { consumersOf, type JetStreamDeclaration } from './declaration.js';
import { OutboxPublisher, type OutboxPublisherSettings } from './outbox-publisher.js';

export interface JetStreamEventsOptions<DB> {
  /** This service: the `source` of what it publishes and the name of its durables. */
  service: string;
  db: Kysely<DB>;
  databaseName: string;
  logger: Logger;
  registry?: Registry;
  /** NATS_URL (a comma-separated list for a cluster). */
  natsUrl: string;
  /** NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE. */
  natsAuth?: NatsAuth;
  declaration: JetStreamDeclaration;
  /** Handlers by type@version; without any (or without durables declared for it) nothing is consumed. */
  handlers?: EventHandlers<DB>;
  publisher?: Partial<OutboxPublisherSettings>;
  consumer?: Partial<JetStreamConsumerSettings>;
}

export interface JetStreamEvents {
  /** Returns at once: connecting, publishing and consuming begin in the background (see below). */
  start(): void;
  /** Stops publishing and consuming (events being applied finish), then closes the connection. */
  stop(): Promise<void>;
  /** Resolves once connected and running (tests). */
  ready(): Promise<void>;
}

/**
 * A service's events over JetStream in one piece, for the runtime to hold in place of the HTTP relay: its
 * outbox publisher, and its consumer when it handles anything. Starting does not wait for NATS: a service
 * must take requests (and write its outbox) while the broker is away, so the connection is made in the
 * background, and the publisher and consumer start once it is there; the client then reconnects on its own.
 */
export function createJetStreamEvents<DB>(options: JetStreamEventsOptions<DB>): JetStreamEvents {
  const logger = options.logger.child({ component: 'jetstream' });
  const durables = consumersOf(options.declaration, options.service);
  const consumes = durables.length > 0 && Object.values(options.handlers ?? {}).some(Boolean);
  let nc: NatsConnection | undefined;
  let publisher: OutboxPublisher | undefined;
  let consumer: JetStreamConsumer<DB> | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  /** Ends the pause between first connection attempts at once when stopping. */
  let wake: (() => void) | undefined;

  /** The first connection, tried again with backoff until it works or the service stops. */
  async function connectFirst(): Promise<NatsConnection | undefined> {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        return await connectNats(options.natsUrl, options.service, {
          waitOnFirstConnect: false,
          auth: options.natsAuth,
          // Replies, pulled events included, on the service's own inbox subjects, which its NATS user
          // alone may subscribe to.
          inboxPrefix: inboxPrefixOf(options.service),
        });
      } catch (error) {
        const delay = retryDelayMs(attempt, { baseMs: 250, maxMs: 10_000 });
        (attempt === 1 ? logger.warn : logger.debug).call(
          logger,
          { err: error, retryInMs: delay },
          'NATS is not reachable; events wait in the outbox',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return undefined;
  }

  async function run(): Promise<void> {
    const connection = await connectFirst();
    if (!connection) return;
    if (stopped) {
      await connection.close();
      return;
    }
    nc = connection;
    const js = jetstream(connection);
    publisher = new OutboxPublisher({
      db: options.db,
      databaseName: options.databaseName,
      source: options.service,
      js,
      stream: options.declaration.stream.name,
      prefix: options.declaration.settings.prefix,
      logger: logger.child({ part: 'publisher' }),
      ...(options.publisher ? { settings: options.publisher } : {}),
    });
    publisher.start();
    if (consumes) {
      consumer = new JetStreamConsumer({
        service: options.service,
        js,
        consumers: durables,
        db: options.db,
        handlers: options.handlers ?? {},
        logger: logger.child({ part: 'consumer' }),
        ...(options.registry ? { registry: options.registry } : {}),
        settings: { maxAttempts: options.declaration.settings.maxAttempts, ...options.consumer },
      });
      consumer.start();
    }
    logger.info({ consumes, durables: consumes ? durables.length : 0 }, 'events over JetStream started');
  }

  return {
    start() {
      running ??= run().catch((error: unknown) => {
        logger.error({ err: error }, 'could not start the JetStream events');
      });
    },
    async ready() {
      await running;
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
      await publisher?.stop();
      await consumer?.stop();
      // Draining ends the open pulls and flushes acks in flight; close() alone would drop them.
      await nc?.drain().catch(() => nc?.close());
      await consumer?.stopped();
    },
  };
}
