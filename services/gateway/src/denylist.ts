import {
  createDenylistConsumer,
  REVOCATION_RETENTION_SECONDS,
  runPeriodically,
  UserRevocationList,
} from '@bonding/kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';

/** How often entries whose tokens have all expired are dropped. */
const FORGET_INTERVAL_MS = 60_000;

export interface GatewayDenylist {
  list: UserRevocationList;
  /** Whether identity's events are being read, once known (the first attempt; it keeps trying). */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The gateway's token denylist, as the services keep theirs but in memory only: the gateway has no
 * database, so it reads user.disabled and session.ended from the stream as they come (from "new") and
 * starts empty. A token it missed while down is still refused by the service behind it, which reads its
 * own persisted list.
 */
export function createGatewayDenylist(
  config: Pick<
    GatewayConfig,
    'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TLS_CA_FILE' | 'NATS_STREAM' | 'NATS_SUBJECT_PREFIX'
  >,
  registry: Registry,
  logger: Logger,
): GatewayDenylist {
  const list = new UserRevocationList();
  const consumer = createDenylistConsumer({
    natsUrl: config.NATS_URL,
    natsAuth: { user: config.NATS_USER, password: config.NATS_PASSWORD, tlsCaFile: config.NATS_TLS_CA_FILE },
    stream: config.NATS_STREAM,
    prefix: config.NATS_SUBJECT_PREFIX,
    revocations: list,
    logger,
    registry,
    name: 'gateway',
  });
  consumer.start();
  const forget = runPeriodically(
    'forget expired denylist entries',
    FORGET_INTERVAL_MS,
    async () => list.forgetRevokedBefore(Math.floor(Date.now() / 1000) - REVOCATION_RETENTION_SECONDS),
    logger,
  );
  return {
    list,
    ready: () => consumer.ready(),
    async stop() {
      await forget.stop();
      await consumer.stop();
    },
  };
}
