import { z } from 'zod';
import { parsedWith } from '../config.js';
import { internalCallConfigShape } from '../internal/config.js';
import { parseSubscriptions } from './subscribers.js';

const milliseconds = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const hours = (fallback: number) => z.coerce.number().min(0).default(fallback);
/** A stream name or subject token: letters, digits, _ and -. */
const natsName = (what: string, fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `must be ${what} (letters, digits, _ and -)` })
    .default(fallback);

/**
 * The environment of the event backbone and internal calls; a service spreads it into its config schema
 * next to `baseConfigShape` and adds `.superRefine(checkEventConfig)`. Defaults suit production.
 */
export const eventConfigShape = {
  /** The NATS server(s) with JetStream that carry the platform's events (comma-separated for a cluster). */
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** The NATS user this service connects as (the chart's per-service users); empty: none. */
  NATS_USER: z.string().default(''),
  /** Its password (with NATS_USER). */
  NATS_PASSWORD: z.string().default(''),
  /** A CA file (PEM) the NATS server's certificate is verified against (a `tls://` NATS_URL); empty: none. */
  NATS_TLS_CA_FILE: z.string().default(''),
  /**
   * The JetStream stream of the platform's events (provisioned beforehand: scripts/nats-provision.ts). The
   * types carrying one-time codes go to `<stream>_PRIVATE` instead (docs/events.md, "The private stream").
   */
  NATS_STREAM: natsName('a stream name', 'BONDING_EVENTS'),
  /**
   * The subject root of the platform's events (`<prefix>.<producer>.<noun>.<verb>.<partition>`; the private
   * stream's are under `<prefix>_private`).
   */
  NATS_SUBJECT_PREFIX: natsName('one subject token', 'bonding'),
  /**
   * What this service consumes: its entry in platform/shape.ts' `subscriptions`, comma-separated
   * (`user.disabled,session.ended,transfer.completed?purpose=disbursement`). Its durables (`<service>-p00`
   * … `-p15`) are provisioned from the same entry; the consumer checks each event against these patterns.
   * Empty: it consumes nothing.
   */
  EVENT_SUBSCRIPTIONS: parsedWith(parseSubscriptions),
  ...internalCallConfigShape,
  /** How often the outbox publisher looks for unpublished events. */
  EVENT_POLL_INTERVAL_MS: milliseconds(200, 10),
  /**
   * Attempts of a handler before the event becomes a dead letter in this service's database (a refusal,
   * EventRejected or an unknown version, ends it at once). Provisioning sets max_deliver from the same default.
   */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  /** Backoff between a failed handler's attempts: doubles from this base, with jitter … */
  EVENT_RETRY_BASE_MS: milliseconds(1_000, 1),
  /** … up to this cap. */
  EVENT_RETRY_MAX_MS: milliseconds(10 * 60_000, 1),
  /** How long published events are kept in the outbox. */
  EVENT_RETENTION_HOURS: hours(7 * 24),
  /** How long a consumer remembers the event ids it has processed (its duplicate guard). */
  INBOX_RETENTION_HOURS: hours(30 * 24),
  /** How often published events, old inbox ids and resolved dead letters are deleted. */
  EVENT_PURGE_INTERVAL_MS: milliseconds(60 * 60_000, 1_000),
  /** How often each replica re-reads persisted token revocations (user.disabled). */
  REVOCATION_SYNC_INTERVAL_MS: milliseconds(2_000, 100),
};

export type EventConfig = z.output<z.ZodObject<typeof eventConfigShape>>;

/** Cross-field checks. */
export function checkEventConfig(
  config: Pick<EventConfig, 'EVENT_RETRY_BASE_MS' | 'EVENT_RETRY_MAX_MS'>,
  ctx: z.RefinementCtx,
): void {
  if (config.EVENT_RETRY_MAX_MS < config.EVENT_RETRY_BASE_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['EVENT_RETRY_MAX_MS'],
      message: 'must be at least EVENT_RETRY_BASE_MS',
    });
  }
}

/** The event settings on their own, checked: for tools and tests that need only these. */
export const eventConfigSchema = z.object(eventConfigShape).superRefine(checkEventConfig);
