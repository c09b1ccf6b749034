import type { EventData } from '@bonding/contracts';
import { type ConsumerMessages, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { UserRevocationList } from '../../auth/denylist.js';
import { retryDelayMs } from '../backoff.js';
import { refuseDisabledUser, refuseEndedSessions } from '../denylist-events.js';
import { eventMetrics } from '../metrics.js';
import { acceptEvent, parseEnvelope } from './accept.js';
import { connectNats, type NatsAuth } from './connection.js';

export interface DenylistConsumerOptions {
  natsUrl: string;
  /** NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE. */
  natsAuth?: NatsAuth;
  /** The platform's stream and subject root (NATS_STREAM, NATS_SUBJECT_PREFIX). */
  stream: string;
  prefix: string;
  revocations: UserRevocationList;
  logger: Logger;
  registry?: Registry;
  /** The connection's name (the process). */
  name?: string;
}

export interface DenylistConsumer {
  /** Returns at once; connecting and consuming begin in the background. */
  start(): void;
  /**
   * Resolves once both event types are being consumed, or as soon as an attempt failed (NATS or the stream
   * not there yet: it keeps trying in the background), or the consumer stopped. Answers whether it consumes.
   */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

const KEYS = ['user.disabled@1', 'session.ended@1'] as const;

/**
 * user.disabled and session.ended straight into an in-memory token denylist, for a process without a
 * database (the local gateway). It reads the stream through ephemeral ordered consumers from "new" (no
 * durable, no acks, nothing to provision): like the process, which keeps nothing, it starts empty; a token
 * it did not hear about while down is still refused by the service behind it. An event applied twice
 * changes nothing (a user's revocation keeps its latest moment, a session its first end).
 */
export function createDenylistConsumer(options: DenylistConsumerOptions): DenylistConsumer {
  const logger = options.logger.child({ component: 'denylist-consumer' });
  const metrics = options.registry ? eventMetrics(options.registry) : undefined;
  let stopped = false;
  let nc: NatsConnection | undefined;
  const subscriptions: ConsumerMessages[] = [];
  const loops: Promise<void>[] = [];
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let settle: (consuming: boolean) => void = () => undefined;
  const settled = new Promise<boolean>((resolve) => {
    settle = resolve;
  });

  const pause = (attempt: number) =>
    new Promise<void>((resolve) => {
      settle(false);
      const timer = setTimeout(resolve, retryDelayMs(attempt, { baseMs: 250, maxMs: 10_000 }));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  function apply(body: string): void {
    const envelope = parseEnvelope(body);
    if (!envelope) return;
    const accepted = acceptEvent(envelope, KEYS);
    if (!accepted.ok) {
      metrics?.inboxEvents.inc({ type: envelope.type, result: 'rejected' });
      logger.warn({ eventId: envelope.id, reason: accepted.reason }, 'denylist event refused');
      return;
    }
    const { key, data } = accepted.event;
    if (key === 'user.disabled@1')
      refuseDisabledUser(options.revocations, data as EventData<'user.disabled@1'>);
    else refuseEndedSessions(options.revocations, data as EventData<'session.ended@1'>);
    metrics?.inboxEvents.inc({ type: envelope.type, result: 'processed' });
  }

  /** One ordered consumer per type: a single filter subject each, which NATS 2.9 takes too. */
  async function subscribe(connection: NatsConnection, type: string): Promise<ConsumerMessages> {
    for (let attempt = 1; ; attempt++) {
      try {
        const consumer = await jetstream(connection).consumers.get(options.stream, {
          filter_subjects: `${options.prefix}.*.${type}.*`,
          deliver_policy: DeliverPolicy.New,
        });
        return await consumer.consume();
      } catch (error) {
        if (stopped) throw error;
        (attempt === 1 ? logger.warn : logger.debug).call(
          logger,
          { err: error, stream: options.stream, type },
          'cannot consume the denylist events yet; will retry',
        );
        await pause(attempt);
      }
    }
  }

  async function run(): Promise<void> {
    for (let attempt = 1; !stopped && !nc; attempt++) {
      try {
        nc = await connectNats(options.natsUrl, options.name ?? 'denylist', {
          waitOnFirstConnect: false,
          auth: options.natsAuth,
        });
      } catch (error) {
        if (attempt === 1) logger.warn({ err: error }, 'NATS is not reachable; the denylist waits for it');
        await pause(attempt);
      }
    }
    if (!nc) return;
    if (stopped) {
      await nc.close();
      return;
    }
    for (const type of ['user.disabled', 'session.ended']) {
      const messages = await subscribe(nc, type);
      subscriptions.push(messages);
      loops.push(
        (async () => {
          for await (const msg of messages) {
            try {
              apply(msg.string());
            } catch (error) {
              logger.error({ err: error, streamSeq: msg.seq }, 'could not apply a denylist event');
            }
          }
        })(),
      );
    }
    settle(true);
    logger.info({ stream: options.stream }, 'denylist consuming user.disabled and session.ended');
  }

  return {
    start() {
      running ??= run()
        .catch((error: unknown) => {
          if (!stopped) logger.error({ err: error }, 'the denylist consumer failed to start');
        })
        .finally(() => settle(false));
    },
    ready: () => settled,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      for (const messages of subscriptions) await messages.close().catch(() => undefined);
      await Promise.allSettled(loops);
      await nc?.close();
    },
  };
}
