import type { EventEnvelope } from '@bonding/contracts';
import type { Subscriber } from './subscribers.js';

/**
 * How an event reaches one subscriber. The relay owns ordering, retries and
 * dead letters; a transport only makes one attempt and says how it went. HTTP
 * push is the one in use; a broker (NATS JetStream, Kafka) would be another
 * implementation of this interface, leaving producers and consumers untouched.
 */
export interface EventTransport {
  deliver(subscriber: Subscriber, envelope: EventEnvelope, signal: AbortSignal): Promise<DeliveryResult>;
}

export type FailureKind = 'network' | 'timeout' | 'server' | 'rejected' | 'aborted';

export type DeliveryResult =
  | { ok: true }
  | {
      ok: false;
      kind: FailureKind;
      /** The consumer refused the event for good (e.g. an unknown version): dead-letter it now. */
      permanent: boolean;
      /** For logs and the dead letter: status, problem code and detail, never event data. */
      reason: string;
      /** The consumer asked for a pause (Retry-After). */
      retryAfterMs?: number;
    };
