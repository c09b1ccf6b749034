import { z } from 'zod';
import { parseAcceptedSecrets, parsePeerSecrets } from '../internal/secrets.js';
import { parseSubscribers } from './subscribers.js';

/** Turns a parse function that throws into a zod transform that reports one clean issue. */
function parsedWith<T>(parse: (text: string) => T) {
  return z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
}

const milliseconds = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/**
 * The environment of the event backbone and internal calls; a service spreads
 * it into its config schema next to `baseConfigShape` and adds
 * `.superRefine(checkEventConfig)`. Defaults suit production; tests shorten them.
 */
export const eventConfigShape = {
  /**
   * Who receives this service's events: `name=url|type,type;…` (e.g.
   * `students=http://students:3002|user.registered,user.disabled`); a type may be `noun.*`, or narrowed to one
   * data field's value (`transfer.completed?purpose=disbursement`). Empty: nobody. See parseSubscribers.
   */
  EVENT_SUBSCRIBERS: parsedWith(parseSubscribers),
  /** Secrets accepted on this service's /internal routes (newest first, at most two, ≥ 32 characters each); empty: refuse all. */
  INTERNAL_SECRETS: parsedWith(parseAcceptedSecrets),
  /** `name=secret` for each service this one calls or delivers events to. */
  INTERNAL_PEER_SECRETS: parsedWith(parsePeerSecrets),
  /** Signed /internal calls older or newer than this are refused (replay guard). */
  INTERNAL_SIGNATURE_MAX_SKEW_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** How often the relay looks for undelivered events in the outbox. */
  EVENT_POLL_INTERVAL_MS: milliseconds(500, 10),
  /** How long one delivery waits for the subscriber's answer. */
  EVENT_DELIVERY_TIMEOUT_MS: milliseconds(10_000, 100),
  /** Deliveries in flight at once per process (one subscriber gets at most half). */
  EVENT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Attempts before a delivery is dead-lettered, one to two hours of retrying (a 4xx the consumer marks permanent ends it at once). */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  /** Backoff between delivery attempts: doubles from this base, with jitter … */
  EVENT_RETRY_BASE_MS: milliseconds(1_000, 1),
  /** … up to this cap. */
  EVENT_RETRY_MAX_MS: milliseconds(10 * 60_000, 1),
  /** How long delivered events, and processed inbox ids, are kept. */
  EVENT_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .default(7 * 24),
  /** How long a consumer remembers the event ids it has processed (its duplicate guard). */
  INBOX_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .default(30 * 24),
  /** How often delivered events and old inbox ids are deleted. */
  EVENT_PURGE_INTERVAL_MS: milliseconds(60 * 60_000, 1_000),
  /** How often each replica re-reads persisted token revocations (user.disabled). */
  REVOCATION_SYNC_INTERVAL_MS: milliseconds(2_000, 100),
};

export type EventConfig = z.output<z.ZodObject<typeof eventConfigShape>>;

/** Cross-field checks: every subscriber needs a secret to sign its deliveries with. */
export function checkEventConfig(
  config: Pick<
    EventConfig,
    'EVENT_SUBSCRIBERS' | 'INTERNAL_PEER_SECRETS' | 'EVENT_RETRY_BASE_MS' | 'EVENT_RETRY_MAX_MS'
  >,
  ctx: z.RefinementCtx,
): void {
  for (const subscriber of config.EVENT_SUBSCRIBERS) {
    if (!(subscriber.name in config.INTERNAL_PEER_SECRETS)) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_PEER_SECRETS'],
        message: `no secret for subscriber ${subscriber.name} (named in EVENT_SUBSCRIBERS)`,
      });
    }
  }
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
