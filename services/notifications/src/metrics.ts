import { Counter, Gauge, type ServiceMetrics } from '@bonding/kit';
import { type Kysely, sql } from 'kysely';
import type { NotificationsDatabase } from './db/schema.js';

export interface NotificationMetrics {
  notificationsCreated: Counter<'kind'>;
  mailsSent: Counter<'template'>;
  mailFailures: Counter<'template' | 'kind'>;
  mailsDeadLettered: Counter<'template'>;
  streamsOpen: Gauge;
}

/** The service's own metrics, next to the kit's on the same registry. */
export function createNotificationMetrics(
  metrics: ServiceMetrics,
  db: Kysely<NotificationsDatabase>,
): NotificationMetrics {
  const registers = [metrics.registry];
  // Read at scrape time; the gauge is database-wide, so dashboards take max, not sum, across replicas.
  new Gauge({
    name: 'mail_outbox_messages',
    help: 'E-mails waiting to be sent (pending) or given up on (dead), across all replicas.',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const rows = await sql<{ status: string; n: string }>`
        SELECT status, COUNT(*) AS n FROM mail_outbox WHERE status IN ('pending', 'dead') GROUP BY status
      `
        .execute(db)
        .then((result) => result.rows)
        .catch(() => []);
      this.reset();
      for (const status of ['pending', 'dead']) {
        this.set({ status }, Number(rows.find((row) => row.status === status)?.n ?? 0));
      }
    },
  });
  return {
    notificationsCreated: new Counter({
      name: 'notifications_created_total',
      help: 'In-app notifications written, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    mailsSent: new Counter({
      name: 'mail_sent_total',
      help: 'E-mails the SMTP server accepted, by template.',
      labelNames: ['template'] as const,
      registers,
    }),
    mailFailures: new Counter({
      name: 'mail_send_failures_total',
      help: 'Failed e-mail attempts by template and kind: retried (temporary) or rejected (permanent).',
      labelNames: ['template', 'kind'] as const,
      registers,
    }),
    mailsDeadLettered: new Counter({
      name: 'mail_dead_lettered_total',
      help: 'E-mails given up on (dead letters), by template.',
      labelNames: ['template'] as const,
      registers,
    }),
    streamsOpen: new Gauge({
      name: 'notification_streams_open',
      help: 'Server-sent event streams open on this replica.',
      registers,
    }),
  };
}
