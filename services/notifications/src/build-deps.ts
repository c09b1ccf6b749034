import { createServiceCore, type ServiceCoreOptions } from '@bonding/kit';
import type { NotificationsConfig } from './config.js';
import type { NotificationsDatabase } from './db/schema.js';
import type { NotificationsDeps } from './deps.js';
import { Housekeeping } from './housekeeping.js';
import { MailRelay } from './mail/mail-relay.js';
import { createSmtpMailer, type Mailer } from './mail/smtp-mailer.js';
import { createNotificationMetrics } from './metrics.js';
import { StreamHub } from './stream/stream-hub.js';

/** The domain of the From address, for Message-IDs. */
function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'bonding.local';
}

/** Wires the service from its configuration; tests pass their own token keys, clock and mailer. */
export function buildNotificationsDeps(
  config: NotificationsConfig,
  options: ServiceCoreOptions & { mailer?: Mailer } = {},
) {
  const core = createServiceCore<NotificationsDatabase>('notifications', config, options);
  const { db, logger, revocations, now } = core;
  const notificationMetrics = createNotificationMetrics(core.metrics, db);
  const mailer =
    options.mailer ??
    (config.SMTP_URL
      ? createSmtpMailer({
          url: config.SMTP_URL,
          from: config.MAIL_FROM,
          timeoutMs: config.MAIL_SEND_TIMEOUT_MS,
        })
      : undefined);
  const mail = mailer
    ? new MailRelay({
        db,
        mailer,
        logger: logger.child({ component: 'mail-relay' }),
        metrics: notificationMetrics,
        messageIdDomain: domainOf(config.MAIL_FROM),
        settings: {
          pollIntervalMs: config.MAIL_POLL_INTERVAL_MS,
          concurrency: config.MAIL_CONCURRENCY,
          maxAttempts: config.MAIL_MAX_ATTEMPTS,
          baseMs: config.MAIL_RETRY_BASE_MS,
          maxMs: config.MAIL_RETRY_MAX_MS,
          sendTimeoutMs: config.MAIL_SEND_TIMEOUT_MS,
        },
      })
    : undefined;
  const streams = new StreamHub({
    db,
    logger: logger.child({ component: 'stream-hub' }),
    metrics: notificationMetrics,
    denylist: revocations,
    settings: { pollIntervalMs: config.STREAM_POLL_INTERVAL_MS, heartbeatMs: config.STREAM_HEARTBEAT_MS },
    now,
  });
  const housekeeping = new Housekeeping({
    db,
    logger,
    intervalMs: config.EVENT_PURGE_INTERVAL_MS,
    mailRetentionHours: config.MAIL_RETENTION_HOURS,
  });
  const deps: NotificationsDeps = { ...core, config, notificationMetrics, streams, mail, housekeeping };
  const closeMailer = () => mailer?.close();
  return {
    deps,
    core,
    closeMailer,
    close: async () => {
      closeMailer();
      await core.close();
    },
  };
}
