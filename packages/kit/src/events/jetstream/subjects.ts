import { isSecretEventType, secretEventTypes } from '@bonding/contracts';
import { matchesType } from '../subscribers.js';

/**
 * Where an event goes on JetStream: `<prefix>.<producer>.<noun>.<verb>.<partition>`, e.g.
 * `bonding.identity.user.registered.7`. The partition is fixed by the aggregate id, so every event of one
 * aggregate (a user, a loan) travels through the same partition, and each consumer's durable for that
 * partition hands them out one at a time, in stream order (docs/events.md).
 *
 * An event type that carries a one-time code (`secret` in its contract) goes under a root of its own,
 * `<prefix>_private.…`, which only the private stream holds, with its own users and a short max_age. A
 * sibling of `<prefix>`, not a token under it: the main stream keeps `<prefix>.>` without overlapping it
 * (NATS refuses overlapping streams), and a consumer's broad filter on NATS 2.9 stays within its stream.
 */

/**
 * Fixed for the life of a stream: changing it moves aggregates to other partitions, so events of one
 * aggregate could then be taken from two partitions at once. Change it only on an empty (drained) stream.
 */
export const PARTITIONS = 16;

/** Headers every event message carries besides the envelope in its body (and Nats-Msg-Id, the event id). */
export const HEADERS = {
  /** The contract version: a header, not the subject, so an unknown version is the consumer's decision. */
  version: 'Bonding-Event-Version',
  /** The aggregate, so a consumer parks by it without parsing the body first. */
  aggregate: 'Bonding-Aggregate',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** The subject root of the secret types: `<prefix>_private` (`bonding_private`). */
export function privateRootOf(prefix: string): string {
  return `${prefix}_private`;
}

/** The private stream's name, derived from the platform's, so a test platform's stream gets its own. */
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

export function subjectOf(prefix: string, producer: string, type: string, aggregateKey: string): string {
  if (!TOKEN.test(producer)) throw new Error(`producer "${producer}" cannot be a subject token`);
  const root = isSecretEventType(type) ? privateRootOf(prefix) : prefix;
  return `${root}.${producer}.${typeTokens(type).join('.')}.${partitionOf(aggregateKey)}`;
}

/** A durable consumer a service pulls from: provisioned beforehand (platform/events), named alike here. */
export interface Durable {
  stream: string;
  durable: string;
}

/** `<service>-pNN`, or `<service>-private-pNN` for its durables on the private stream. */
export function durableName(service: string, partition: number, secret = false): string {
  return `${service}${secret ? '-private' : ''}-p${String(partition).padStart(2, '0')}`;
}

/**
 * The durables a service with these subscription patterns pulls: one per partition on the platform's
 * stream unless it subscribes to secret types only, and one per partition on the private stream when a
 * pattern takes a secret type.
 */
export function durablesOf(service: string, patterns: readonly string[], stream: string): Durable[] {
  const types = patterns.map((pattern) => pattern.split('?')[0] ?? '');
  const on = (name: string, secret: boolean) =>
    Array.from({ length: PARTITIONS }, (_, p) => ({
      stream: name,
      durable: durableName(service, p, secret),
    }));
  return [
    ...(types.some((type) => !isSecretEventType(type)) ? on(stream, false) : []),
    ...(types.some((type) => secretEventTypes.some((secret) => matchesType(type, secret)))
      ? on(privateStreamOf(stream), true)
      : []),
  ];
}
