import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { privateRootOf, privateStreamOf } from '../../packages/kit/src/events/jetstream/subjects.js';
import type { ConsumerDeclaration, JetStreamDeclaration, StreamDeclaration } from './declaration.js';

/**
 * Creates or updates the two streams (the platform's and the private one) and the durable consumers a
 * declaration names; running it again changes nothing. It is the only code that needs the right to create streams and consumers (`npm start`,
 * `npm test`, and scripts/nats-provision.ts, which the chart can run as a hook): services only publish and
 * pull. Consumers it did not declare are left alone (reported as `extra`): deleting a durable loses its
 * position, so that stays an operator's decision.
 */

/** Whether the server takes several filter subjects on one consumer (2.10+); 2.9 takes one. */
export function supportsFilterSubjects(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? '0.0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

export type Change = 'created' | 'updated' | 'unchanged';

export interface ProvisionReport {
  stream: Change;
  /** The private stream (secret types). */
  privateStream: Change;
  consumers: Record<string, Change>;
  /** Durables on either stream that the declaration does not name. */
  extra: string[];
  /** Whether consumers got exact filter_subjects (NATS 2.10+) or one broad filter per partition (2.9). */
  filter: 'exact' | 'broad';
}

const nanos = (ms: number) => ms * 1_000_000;

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}

function streamConfig(stream: StreamDeclaration): Partial<StreamConfig> & { name: string } {
  return {
    name: stream.name,
    subjects: stream.subjects,
    // Limits, not interest or work-queue: an event stays for max_age whoever has read it, so a consumer
    // added or reset later, or an operator, can still read it.
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(stream.maxAgeMs),
    duplicate_window: nanos(stream.duplicateWindowMs),
    num_replicas: stream.replicas,
  };
}

/**
 * On a 2.9 server one consumer takes a single filter subject: with several subscriptions the partition's
 * every event (`<prefix>.*.*.*.<p>`, `<prefix>_private.*.*.*.<p>` on the private stream) is the filter, and the consumer acks and skips what it did not
 * subscribe to (it checks every event against its patterns anyway). Order and effects are the same;
 * only more messages are read.
 */
function filterOf(consumer: ConsumerDeclaration, prefix: string, exact: boolean, secret: boolean) {
  if (consumer.filterSubjects.length === 1) return { filter_subject: consumer.filterSubjects[0] };
  if (exact) return { filter_subjects: consumer.filterSubjects };
  const root = secret ? privateRootOf(prefix) : prefix;
  return { filter_subject: `${root}.*.*.*.${consumer.partition}` };
}

function consumerConfig(
  consumer: ConsumerDeclaration,
  prefix: string,
  exact: boolean,
  secret: boolean,
): Partial<ConsumerConfig> {
  return {
    durable_name: consumer.durable,
    description: `${consumer.service}, partition ${consumer.partition}`,
    ack_policy: AckPolicy.Explicit,
    // From the start of what the stream keeps: a durable recreated by mistake re-reads at most max_age of
    // events, which the inbox (kept longer) recognises as applied.
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    // One event in flight per partition: the next is handed out only once this one is acked (or, after
    // the last attempt, dead-lettered and acked by the consumer), so an aggregate's events apply in order.
    max_ack_pending: 1,
    ack_wait: nanos(consumer.ackWaitMs),
    max_deliver: consumer.maxDeliver,
    // None (see JetStreamSettings.ackWaitMs); an empty list also removes one an older release set.
    backoff: [],
    ...filterOf(consumer, prefix, exact, secret),
  };
}

function sameArray(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  return (a ?? []).length === (b ?? []).length && (a ?? []).every((value, i) => value === (b ?? [])[i]);
}

function filtersOf(one: string | undefined, many: string[] | undefined): string[] {
  if (many && many.length > 0) return many;
  return one ? [one] : [];
}

function differs(wanted: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  return Object.entries(wanted)
    .filter(([key, value]) =>
      Array.isArray(value) ? !sameArray(value, actual[key] as unknown[] | undefined) : actual[key] !== value,
    )
    .map(([key]) => key);
}

/** Fields the server refuses to change: a difference there needs the stream or consumer recreated. */
const FIXED_STREAM = ['retention', 'storage'];
const FIXED_CONSUMER = ['deliver_policy', 'ack_policy', 'replay_policy'];

async function provisionStream(jsm: JetStreamManager, stream: StreamDeclaration): Promise<Change> {
  const wanted = streamConfig(stream);
  let actual: StreamConfig;
  try {
    actual = (await jsm.streams.info(stream.name)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(wanted);
    return 'created';
  }
  const changed = differs(wanted, actual as unknown as Record<string, unknown>);
  if (changed.length === 0) return 'unchanged';
  const fixed = changed.filter((key) => FIXED_STREAM.includes(key));
  if (fixed.length > 0) {
    throw new Error(
      `stream ${stream.name}: ${fixed.join(', ')} cannot be changed in place; recreate it deliberately`,
    );
  }
  const { name, ...update } = wanted;
  await jsm.streams.update(name, update);
  return 'updated';
}

async function provisionConsumer(
  jsm: JetStreamManager,
  streamName: string,
  wanted: Partial<ConsumerConfig>,
): Promise<Change> {
  const durable = wanted.durable_name as string;
  let actual: ConsumerConfig;
  try {
    actual = (await jsm.consumers.info(streamName, durable)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(streamName, wanted);
    return 'created';
  }
  // filter_subject or filter_subjects: compared as one list, whichever carries it.
  const { filter_subject: wantedOne, filter_subjects: wantedMany, ...rest } = wanted;
  const changed = differs(rest, actual as unknown as Record<string, unknown>);
  if (
    !sameArray(filtersOf(wantedOne, wantedMany), filtersOf(actual.filter_subject, actual.filter_subjects))
  ) {
    changed.push('filter');
  }
  if (changed.length === 0) return 'unchanged';
  const fixed = changed.filter((key) => FIXED_CONSUMER.includes(key));
  if (fixed.length > 0) {
    throw new Error(
      `consumer ${durable}: ${fixed.join(', ')} cannot be changed in place; recreate it deliberately`,
    );
  }
  const {
    durable_name: _durable,
    deliver_policy: _deliver,
    ack_policy: _ack,
    replay_policy: _replay,
    ...update
  } = wanted;
  await jsm.consumers.update(streamName, durable, update);
  return 'updated';
}

export async function provisionJetStream(
  nc: NatsConnection,
  declaration: JetStreamDeclaration,
): Promise<ProvisionReport> {
  const jsm = await jetstreamManager(nc);
  const exact = supportsFilterSubjects(nc);
  const stream = await provisionStream(jsm, declaration.stream);
  const privateStream = await provisionStream(jsm, declaration.privateStream);
  const consumers: Record<string, Change> = {};
  for (const consumer of declaration.consumers) {
    const secret = consumer.stream === declaration.privateStream.name;
    consumers[consumer.durable] = await provisionConsumer(
      jsm,
      consumer.stream,
      consumerConfig(consumer, declaration.settings.prefix, exact, secret),
    );
  }
  const declared = new Set(declaration.consumers.map((consumer) => consumer.durable));
  const extra: string[] = [];
  for (const name of [declaration.stream.name, declaration.privateStream.name]) {
    for await (const info of jsm.consumers.list(name)) {
      if (!declared.has(info.name)) extra.push(info.name);
    }
  }
  return { stream, privateStream, consumers, extra, filter: exact ? 'exact' : 'broad' };
}

/**
 * Deletes a stream, its private stream and their durables: for a test platform's own streams when it
 * closes. Never run against the platform's (its events and every consumer's position go with them).
 */
export async function deleteJetStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [stream, privateStreamOf(stream)]) {
    try {
      await jsm.streams.delete(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
