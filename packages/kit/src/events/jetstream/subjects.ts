import { isSecretEventType } from '@bonding/contracts';

/**
 * Where an event goes on JetStream: `<prefix>.<producer>.<noun>.<verb>.<partition>`, e.g.
 * `bonding.identity.user.registered.7`. The partition is fixed by the aggregate id, so every event of one
 * aggregate (a user, a loan) travels through the same partition, and each consumer's durable for that
 * partition hands them out one at a time, in stream order (see declaration.ts).
 *
 * An event type that carries a one-time code (`secret` in its contract) goes under a root of its own,
 * `<prefix>_private.<producer>.<noun>.<verb>.<partition>`, which only the private stream holds: its own
 * users, its own short max_age (declaration.ts). A sibling of `<prefix>`, not a token under it: the main
 * stream keeps `<prefix>.>` without overlapping it (NATS refuses overlapping streams), and a consumer's
 * broad filter on NATS 2.9 stays a subset of its stream's subjects.
 */

/** The subject root of the platform's events; tests use their own so they share a server safely. */
export const DEFAULT_SUBJECT_PREFIX = 'bonding';

/**
 * Fixed for the life of a stream: changing it moves aggregates to other partitions, so events of one
 * aggregate could then be taken from two partitions at once. Change it only on an empty (drained) stream.
 */
export const PARTITIONS = 16;

/** Headers every event message carries besides the envelope in its body. */
export const HEADERS = {
  /** JetStream's deduplication key: the event id, so a re-publish after a crash is dropped by the stream. */
  msgId: 'Nats-Msg-Id',
  /**
   * The contract version. It rides in a header, not the subject: consumers filter by type, and an
   * unknown version is a consumer's decision (a dead letter until it is upgraded), never a routing one.
   */
  version: 'Bonding-Event-Version',
  /** The aggregate, so a consumer parks by it without parsing the body first. */
  aggregate: 'Bonding-Aggregate',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** What names the private side: the durables' infix (`<service>-private-pNN`) and the subject root. */
export const PRIVATE_TOKEN = 'private';

/** The subject root of the secret types: `<prefix>_private` (`bonding_private`). */
export function privateRootOf(prefix: string): string {
  return `${prefix}_${PRIVATE_TOKEN}`;
}

/**
 * The private stream's name, derived from the platform's (`BONDING_EVENTS_PRIVATE`), so a test platform's
 * own stream gets its own private one and nothing else needs configuring.
 */
export function privateStreamOf(stream: string): string {
  return `${stream}_PRIVATE`;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * FNV-1a (32 bit) of the key's UTF-8 bytes, mod the partition count: stable across processes, versions
 * and languages (unlike a runtime's string hash), cheap, and spreads UUIDs evenly.
 */
export function partitionOf(aggregateKey: string, partitions = PARTITIONS): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(aggregateKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** The two tokens of an event type (`user.registered`); every type is noun.pastTenseVerb. */
export function typeTokens(type: string): [string, string] {
  const tokens = type.split('.');
  if (tokens.length !== 2 || !tokens.every((token) => TOKEN.test(token))) {
    throw new Error(`event type "${type}" is not noun.verb: it cannot be a JetStream subject`);
  }
  return tokens as [string, string];
}

/** `<prefix>.<producer>` or, for a secret type, `<prefix>_private.<producer>`. */
export function producerRoot(prefix: string, producer: string, secret: boolean): string {
  if (!TOKEN.test(producer)) throw new Error(`producer "${producer}" cannot be a subject token`);
  return `${secret ? privateRootOf(prefix) : prefix}.${producer}`;
}

export function subjectOf(prefix: string, producer: string, type: string, aggregateKey: string): string {
  const root = producerRoot(prefix, producer, isSecretEventType(type));
  return `${root}.${typeTokens(type).join('.')}.${partitionOf(aggregateKey)}`;
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
