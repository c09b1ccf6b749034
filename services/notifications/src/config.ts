import { baseConfigShape, checkEventConfig, eventConfigShape } from '@bonding/kit';
import { z } from 'zod';

const milliseconds = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

export const notificationsConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3006),
    /**
     * Where e-mail goes: `smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://…` (TLS).
     * Unset: e-mails are still queued in mail_outbox but nobody sends them until it is set.
     */
    SMTP_URL: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    ),
    /** The From of every e-mail. */
    MAIL_FROM: z.string().min(3).default('Bonding Platform <no-reply@bonding.local>'),
    /** Attempts before an e-mail is dead-lettered (an SMTP 5xx rejection ends it at once). */
    MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
    /** Backoff between attempts: doubles from the base up to the cap, with jitter. */
    MAIL_RETRY_BASE_MS: milliseconds(30_000),
    /** The cap of the backoff between attempts (it doubles from MAIL_RETRY_BASE_MS, with jitter). */
    MAIL_RETRY_MAX_MS: milliseconds(60 * 60_000),
    /** How often a replica looks for e-mail to send. */
    MAIL_POLL_INTERVAL_MS: milliseconds(1_000, 10),
    /** E-mails sent at once by one replica. */
    MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** Connection, greeting and socket timeout of one SMTP attempt. */
    MAIL_SEND_TIMEOUT_MS: milliseconds(20_000, 100),
    /** Sent e-mails (they hold addresses and names) are deleted after this. */
    MAIL_RETENTION_HOURS: z.coerce
      .number()
      .min(0)
      .default(7 * 24),
    /** How often each replica looks for new notifications of the users connected to it. */
    STREAM_POLL_INTERVAL_MS: milliseconds(500, 10),
    /** A comment line this often keeps idle streams (and the proxies in between) open. */
    STREAM_HEARTBEAT_MS: milliseconds(15_000, 10),
    /** How long a stream ticket may wait before it is used (once). */
    STREAM_TICKET_TTL_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  })
  .superRefine(checkEventConfig)
  .superRefine((config, ctx) => {
    if (config.MAIL_RETRY_MAX_MS < config.MAIL_RETRY_BASE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_RETRY_MAX_MS'],
        message: 'must be at least MAIL_RETRY_BASE_MS',
      });
    }
  });

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
