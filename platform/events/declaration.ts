import { secretEventTypes } from '../../packages/contracts/src/index.js';
import { defaultConsumerSettings } from '../../packages/kit/src/events/jetstream/consumer.js';
import {
  durableName,
  PARTITIONS,
  privateRootOf,
  privateStreamOf,
  typeTokens,
} from '../../packages/kit/src/events/jetstream/subjects.js';

/**
 * What JetStream needs for the platform's events, derived from the platform's shape (platform/shape.ts:
 * each service's `produces`, and `subscriptions`), so the stream and consumers are declared once, next to
 * the subscriptions, and a provisioning step (provision.ts) creates them: services need no rights to. A service's runtime
 * names the same durables from its own EVENT_SUBSCRIPTIONS (the kit's durablesOf).
 *
 * - One stream holds every event (`<prefix>.>`): one retention, one duplicate window, one thing to watch.
 *   Order is needed per aggregate only, and an aggregate's events come from its one producer.
 * - Except the types that carry a one-time code (`secret` in their contracts): they go to a second stream,
 *   `<stream>_PRIVATE` (subjects `<prefix>_private.>`, a root beside the main one so the streams do not
 *   overlap), with a short max_age, which only the services named in `secretReaders` consume, through
 *   durables of their own (`<service>-private-pNN`). The codes then sit in the broker for an hour rather
 *   than a week, and no other service's user is granted that stream (platform/generate/chart-nats.ts). An
 *   aggregate's secret and other events travel in different durables, so they are ordered only among
 *   themselves (the mail relay waits for a directory entry anyway).
 * - One durable pull consumer per (consuming service, partition), `<service>-pNN`, filtered to the subjects
 *   of that service's subscriptions in that partition. All of a service's subscribed types share it, so
 *   `user.registered` then `user.updated` of one user are applied in that order (separate durables per type
 *   could apply them in either). `max_ack_pending: 1` and explicit acks hand out one event at a time per
 *   partition, in stream order, across however many replicas pull from it.
 */

/** One entry of a service's subscriptions: a type, `noun.*`, or a type narrowed to one data field's value. */
export type SubscriptionEntry = string | { type: string; where: { field: string; equals: string } };

export interface PlatformEvents {
  services: readonly { name: string; produces?: readonly string[] }[];
  subscriptions: Partial<Record<string, readonly SubscriptionEntry[]>>;
  /** The services allowed to consume secret types; any other subscribing to one is refused. */
  secretReaders: readonly string[];
}

export interface JetStreamSettings {
  /** The stream's name (tests use their own). */
  stream: string;
  /** The subject root (tests use their own). */
  prefix: string;
  /**
   * How long the stream keeps an event. Must stay shorter than the consumers' inbox retention
   * (INBOX_RETENTION_HOURS): a durable recreated from the start of the stream, or a re-publish, then only
   * brings events the inbox still recognises as applied.
   */
  maxAgeMs: number;
  /**
   * How long the private stream keeps a secret event (default 1 hour): the codes spend little time in the
   * broker, at a price: an event its reader has not taken within it (notifications down, or failing, for
   * that long) is gone, its e-mail never sent, and the user asks for a new code. Shorter than the inbox
   * retention like maxAgeMs.
   */
  privateMaxAgeMs: number;
  /** The stream drops a message whose Nats-Msg-Id (the event id) it has seen within this window. */
  duplicateWindowMs: number;
  /** Stream replicas (1 locally; 3 in a cluster). */
  replicas: number;
  /** Attempts of the handler before an event becomes a dead letter in the consumer's database. */
  maxAttempts: number;
  /**
   * The ack wait: how long a delivery may go unanswered (its consumer crashed, or stalled without saying
   * `working()`) before the server hands it out again. A handler that fails naks with its own delay
   * (EVENT_RETRY_*, backoff.ts) instead. There is deliberately no server-side `backoff` list: NATS then
   * times a nak's delay from `backoff[n] − ack_wait` earlier (measured on 2.9.10 and 2.15.3: a 100 ms nak
   * on the second delivery waited 4.1 s with backoff [2 s, 6 s]), so the consumer's retry delays would
   * silently become the backoff list's.
   */
  ackWaitMs: number;
}

/**
 * max_deliver is a little above maxAttempts: the consumer dead-letters an event itself on its last
 * attempt, and the spare deliveries cover a process that died during that last attempt, so an event is
 * never silently dropped by the server for having been delivered too often.
 */
export const SPARE_DELIVERIES = 3;

export const defaultJetStreamSettings: JetStreamSettings = {
  stream: 'BONDING_EVENTS',
  prefix: 'bonding',
  maxAgeMs: 7 * 24 * 3_600_000,
  privateMaxAgeMs: 3_600_000,
  duplicateWindowMs: 10 * 60_000,
  replicas: 1,
  // The consumers' own defaults: what they assume when the environment does not say (EVENT_MAX_ATTEMPTS).
  maxAttempts: defaultConsumerSettings.maxAttempts,
  ackWaitMs: defaultConsumerSettings.ackWaitMs,
};

export interface StreamDeclaration {
  name: string;
  subjects: string[];
  maxAgeMs: number;
  duplicateWindowMs: number;
  replicas: number;
}

export interface ConsumerDeclaration {
  /** The consuming service. */
  service: string;
  /** The stream it reads: the platform's, or the private one for secret types. */
  stream: string;
  partition: number;
  durable: string;
  /** The subjects of its subscriptions in this partition (none overlapping). */
  filterSubjects: string[];
  /**
   * The subscriptions as patterns (`type`, `noun.*`, `type?field=value`): the consumer checks every event
   * against them, so data filters, and a broad filter on a server without filter_subjects, are applied there.
   */
  patterns: string[];
  maxDeliver: number;
  ackWaitMs: number;
}

export interface JetStreamDeclaration {
  settings: JetStreamSettings;
  stream: StreamDeclaration;
  /** The stream of the secret types (see above). */
  privateStream: StreamDeclaration;
  consumers: ConsumerDeclaration[];
}

/** Does NATS subject filter `filter` (with `*` and `>`) take every subject `other` takes? */
export function filterCovers(filter: string, other: string): boolean {
  const a = filter.split('.');
  const b = other.split('.');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '>') return b.length > i;
    if (i >= b.length) return false;
    if (a[i] !== '*' && a[i] !== b[i]) return false;
    if (a[i] === '*' && b[i] === '>') return false;
  }
  return a.length === b.length;
}

function patternOf(entry: SubscriptionEntry): string {
  return typeof entry === 'string' ? entry : `${entry.type}?${entry.where.field}=${entry.where.equals}`;
}

const typeOf = (entry: SubscriptionEntry) => (typeof entry === 'string' ? entry : entry.type);

/** A pattern's subject tokens for the type: `user.registered`, `user.*`, or `*.*` for everything. */
function typeFilter(pattern: string): string {
  if (pattern === '*') return '*.*';
  if (pattern.endsWith('.*')) return `${typeTokens(`${pattern.slice(0, -2)}.x`)[0]}.*`;
  return typeTokens(pattern).join('.');
}

/** The narrower of a subscription's and a producer's type filter, or undefined when they share no type. */
function intersect(a: string, b: string): string | undefined {
  if (filterCovers(a, b)) return b;
  if (filterCovers(b, a)) return a;
  return undefined;
}

/** Drops filters another one already covers: NATS refuses overlapping filter_subjects. */
function withoutOverlaps(filters: string[]): string[] {
  const unique = [...new Set(filters)];
  return unique.filter((filter) => !unique.some((other) => other !== filter && filterCovers(other, filter)));
}

/** The secret types a subscription's or `produces` pattern takes. */
export function secretTypesOf(pattern: string): string[] {
  const wanted = typeFilter(pattern.split('?')[0] ?? '');
  return secretEventTypes.filter((type) => filterCovers(wanted, type));
}

function privateStreamDeclaration(settings: JetStreamSettings): StreamDeclaration {
  return {
    name: privateStreamOf(settings.stream),
    subjects: [`${privateRootOf(settings.prefix)}.>`],
    maxAgeMs: settings.privateMaxAgeMs,
    // NATS refuses a duplicate window longer than the stream's max_age.
    duplicateWindowMs: Math.min(settings.duplicateWindowMs, settings.privateMaxAgeMs),
    replicas: settings.replicas,
  };
}

function durables(
  service: string,
  stream: string,
  secret: boolean,
  filters: (partition: number) => string[],
  patterns: string[],
  settings: JetStreamSettings,
): ConsumerDeclaration[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => ({
    service,
    stream,
    partition,
    durable: durableName(service, partition, secret),
    filterSubjects: filters(partition),
    patterns: [...patterns],
    maxDeliver: settings.maxAttempts + SPARE_DELIVERIES,
    ackWaitMs: settings.ackWaitMs,
  }));
}

export function declareJetStream(
  platform: PlatformEvents,
  settings: JetStreamSettings = defaultJetStreamSettings,
): JetStreamDeclaration {
  const producers = platform.services.filter((service) => (service.produces ?? []).length > 0);
  const privateStream = privateStreamDeclaration(settings);
  const consumers: ConsumerDeclaration[] = [];
  for (const [service, entries] of Object.entries(platform.subscriptions)) {
    if (!entries || entries.length === 0) continue;
    // Per type pattern: the producers whose `produces` share a type with it, and the narrower filter.
    const typeSubjects: string[] = [];
    const secretSubjects: string[] = [];
    for (const entry of entries) {
      const wanted = typeFilter(typeOf(entry));
      let produced = false;
      for (const producer of producers) {
        for (const pattern of producer.produces ?? []) {
          const narrower = intersect(wanted, typeFilter(pattern));
          if (!narrower) continue;
          produced = true;
          // A filter naming just a secret type has nothing on the main stream.
          if (!(secretEventTypes as readonly string[]).includes(narrower)) {
            typeSubjects.push(`${producer.name}.${narrower}`);
          }
          for (const type of secretEventTypes) {
            if (filterCovers(narrower, type)) secretSubjects.push(`${producer.name}.${type}`);
          }
        }
      }
      if (!produced) throw new Error(`${service} subscribes to ${typeOf(entry)}, which no service produces`);
    }
    if (secretSubjects.length > 0 && !platform.secretReaders.includes(service)) {
      const types = [...new Set(secretSubjects.map((subject) => subject.split('.').slice(1).join('.')))];
      throw new Error(
        `${service} subscribes to ${types.join(', ')}, which carry one-time codes: only ` +
          `${platform.secretReaders.join(', ') || 'no service'} may (name types, not noun.*)`,
      );
    }
    const patterns = entries.map(patternOf);
    if (typeSubjects.length > 0) {
      consumers.push(
        ...durables(
          service,
          settings.stream,
          false,
          (p) => withoutOverlaps(typeSubjects.map((subject) => `${settings.prefix}.${subject}.${p}`)),
          patterns,
          settings,
        ),
      );
    }
    if (secretSubjects.length > 0) {
      const root = privateRootOf(settings.prefix);
      consumers.push(
        ...durables(
          service,
          privateStream.name,
          true,
          (p) => withoutOverlaps(secretSubjects.map((subject) => `${root}.${subject}.${p}`)),
          patterns,
          settings,
        ),
      );
    }
  }
  return {
    settings,
    stream: {
      name: settings.stream,
      subjects: [`${settings.prefix}.>`],
      maxAgeMs: settings.maxAgeMs,
      duplicateWindowMs: settings.duplicateWindowMs,
      replicas: settings.replicas,
    },
    privateStream,
    consumers,
  };
}

/** A service's own consumers, the ones its replicas pull from. */
export function consumersOf(declaration: JetStreamDeclaration, service: string): ConsumerDeclaration[] {
  return declaration.consumers.filter((consumer) => consumer.service === service);
}
