import { setTimeout as sleep } from 'node:timers/promises';
import type { EventData } from '@bonding/contracts';
import {
  acceptEvent,
  connectWhenReachable,
  eventMetrics,
  parseEnvelope,
  REVOCATION_RETENTION_SECONDS,
  refuseDisabledUser,
  refuseEndedSessions,
  retryDelayMs,
  runPeriodically,
  UserRevocationList,
} from '@bonding/kit';
import { type ConsumerMessages, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';

/** How often entries whose tokens have all expired are dropped. */
const FORGET_INTERVAL_MS = 60_000;

const KEYS = ['user.disabled@1', 'session.ended@1'] as const;

export interface GatewayDenylist {
  list: UserRevocationList;
  /**
   * Resolves once both event types are being read (true), or as soon as an attempt failed (false: NATS or
   * the stream not there yet; it keeps trying in the background), or the denylist stopped.
   */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The gateway's token denylist, as the services keep theirs but in memory only: the gateway has no
 * database, so it reads user.disabled and session.ended through ephemeral ordered consumers from "new"
 * (no durable, no acks, nothing to provision) and starts empty. A token it missed while down is still
 * refused by the service behind it, which reads its own persisted list. An event applied twice changes
 * nothing (a user's revocation keeps its latest moment, a session its first end).
 */
export function createGatewayDenylist(
  config: Pick<
    GatewayConfig,
    'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TLS_CA_FILE' | 'NATS_STREAM' | 'NATS_SUBJECT_PREFIX'
  >,
  registry: Registry,
  parentLogger: Logger,
): GatewayDenylist {
  const logger = parentLogger.child({ component: 'denylist-consumer' });
  const list = new UserRevocationList();
  const metrics = eventMetrics(registry);
  const stopping = new AbortController();
  const subscriptions: ConsumerMessages[] = [];
  const loops: Promise<void>[] = [];
  let settle: (consuming: boolean) => void = () => undefined;
  const settled = new Promise<boolean>((resolve) => {
    settle = resolve;
  });

  function apply(body: string): void {
    const envelope = parseEnvelope(body);
    if (!envelope) return;
    const accepted = acceptEvent(envelope, KEYS);
    if (!accepted.ok) {
      metrics.inboxEvents.inc({ type: envelope.type, result: 'rejected' });
      logger.warn({ eventId: envelope.id, reason: accepted.reason }, 'denylist event refused');
      return;
    }
    const { key, data } = accepted.event;
    if (key === 'user.disabled@1') refuseDisabledUser(list, data as EventData<'user.disabled@1'>);
    else refuseEndedSessions(list, data as EventData<'session.ended@1'>);
    metrics.inboxEvents.inc({ type: envelope.type, result: 'processed' });
  }

  /** One ordered consumer per type: a single filter subject each, which NATS 2.9 takes too. */
  async function read(nc: NatsConnection, type: string): Promise<void> {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      try {
        const consumer = await jetstream(nc).consumers.get(config.NATS_STREAM, {
          filter_subjects: `${config.NATS_SUBJECT_PREFIX}.*.${type}.*`,
          deliver_policy: DeliverPolicy.New,
        });
        const messages = await consumer.consume();
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
        return;
      } catch (error) {
        settle(false);
        const log = attempt === 1 ? logger.warn : logger.debug;
        log.call(logger, { err: error, type }, 'cannot consume the denylist events yet; will retry');
        const delay = retryDelayMs(attempt, { baseMs: 250, maxMs: 10_000 });
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  const nats = connectWhenReachable(
    config.NATS_URL,
    'gateway',
    { auth: { user: config.NATS_USER, password: config.NATS_PASSWORD, tlsCaFile: config.NATS_TLS_CA_FILE } },
    (error, attempt) => {
      settle(false);
      if (attempt === 1) logger.warn({ err: error }, 'NATS is not reachable; the denylist waits for it');
    },
  );
  const running = nats.connection
    .then(async (nc) => {
      if (!nc) return;
      for (const type of ['user.disabled', 'session.ended']) await read(nc, type);
      if (stopping.signal.aborted) return;
      settle(true);
      logger.info({ stream: config.NATS_STREAM }, 'denylist consuming user.disabled and session.ended');
    })
    .catch((error: unknown) => logger.error({ err: error }, 'the denylist consumer failed to start'))
    .finally(() => settle(false));

  const forget = runPeriodically(
    'forget expired denylist entries',
    FORGET_INTERVAL_MS,
    async () => list.forgetRevokedBefore(Math.floor(Date.now() / 1000) - REVOCATION_RETENTION_SECONDS),
    logger,
  );
  return {
    list,
    ready: () => settled,
    async stop() {
      await forget.stop();
      stopping.abort();
      nats.cancel();
      await running;
      for (const messages of subscriptions) await messages.close().catch(() => undefined);
      await Promise.allSettled(loops);
      await (await nats.connection)?.close();
    },
  };
}
