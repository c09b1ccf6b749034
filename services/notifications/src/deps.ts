import type { ServiceCore } from '@bonding/kit';
import type { NotificationsConfig } from './config.js';
import type { NotificationsDatabase } from './db/schema.js';
import type { Housekeeping } from './housekeeping.js';
import type { MailRelay } from './mail/mail-relay.js';
import type { NotificationMetrics } from './metrics.js';
import type { StreamHub } from './stream/stream-hub.js';

export interface NotificationsDeps
  extends Omit<ServiceCore<NotificationsDatabase>, 'close' | 'databaseName'> {
  config: NotificationsConfig;
  notificationMetrics: NotificationMetrics;
  /** This replica's server-sent event streams. */
  streams: StreamHub;
  /** Sends the mail outbox; undefined when SMTP_URL is unset (mails wait in the outbox). */
  mail: MailRelay | undefined;
  housekeeping: Housekeeping;
}
