import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createDenylistInbox,
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
  /** Serves POST /internal/events on the status port. */
  inbox: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gateway's token denylist, as the services keep theirs but in memory only: the gateway has no
 * database, so it starts empty and knows only what identity delivered since. A token it missed while
 * down is still refused by the service behind it, which reads its own persisted list.
 */
export function createGatewayDenylist(
  config: Pick<GatewayConfig, 'INTERNAL_SECRETS' | 'INTERNAL_SIGNATURE_MAX_SKEW_SECONDS'>,
  registry: Registry,
  logger: Logger,
): GatewayDenylist {
  const list = new UserRevocationList();
  if (config.INTERNAL_SECRETS.length === 0) {
    logger.warn(
      'INTERNAL_SECRETS is empty: no events reach the denylist; only the services refuse ended sessions',
    );
  }
  const inbox = createDenylistInbox({
    revocations: list,
    logger,
    registry,
    secrets: config.INTERNAL_SECRETS,
    maxSkewSeconds: config.INTERNAL_SIGNATURE_MAX_SKEW_SECONDS,
  });
  const forget = runPeriodically(
    'forget expired denylist entries',
    FORGET_INTERVAL_MS,
    async () => list.forgetRevokedBefore(Math.floor(Date.now() / 1000) - REVOCATION_RETENTION_SECONDS),
    logger,
  );
  return { list, inbox, stop: () => forget.stop() };
}
