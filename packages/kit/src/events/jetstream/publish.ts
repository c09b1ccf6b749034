import { type EventEnvelope, isSecretEventType } from '@bonding/contracts';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { context, propagation } from '@opentelemetry/api';
import { continueStoredTrace } from '../trace-context.js';
import { HEADERS, privateStreamOf, subjectOf } from './subjects.js';

/** A committed outbox row, as the publisher reads it. */
export interface OutboxEvent {
  seq: string;
  id: string;
  type: string;
  version: number;
  aggregate_key: string;
  payload: string;
  occurred_at: Date;
  traceparent: string | null;
  tracestate: string | null;
}

export interface PublishTarget {
  js: JetStreamClient;
  /** The platform's stream; a secret type goes to its private stream (privateStreamOf) instead. */
  stream: string;
  prefix: string;
  /** The producing service: the subject's second token and the envelope's source. */
  source: string;
  timeoutMs: number;
}

/**
 * Publishes one outbox event: the same envelope HTTP push sends, on its partition's subject, with the event
 * id as Nats-Msg-Id (the stream drops a second copy within its duplicate window; beyond it the consumer's
 * inbox does) and the trace context in headers. Resolves once the stream has stored it (its PubAck). A
 * secret type (one carrying a one-time code) goes under the private root, to the private stream.
 */
export function publishOutboxEvent(target: PublishTarget, event: OutboxEvent): Promise<PubAck> {
  const envelope: EventEnvelope = {
    id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: event.occurred_at.toISOString(),
    source: target.source,
    data: JSON.parse(event.payload) as Record<string, unknown>,
  };
  const subject = subjectOf(target.prefix, target.source, event.type, event.aggregate_key);
  const attributes = {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.message.id': event.id,
  };
  // A `publish <type>` span under the request that caused the event; its context travels in the headers,
  // so the consumer's handling joins the same trace. With tracing off the stored context goes on as is.
  return continueStoredTrace(event, `publish ${event.type}`, attributes, () => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const headers = natsHeaders();
    headers.set(HEADERS.version, String(event.version));
    headers.set(HEADERS.aggregate, event.aggregate_key);
    const traceparent = carrier.traceparent ?? event.traceparent;
    const tracestate = carrier.traceparent ? carrier.tracestate : event.tracestate;
    if (traceparent) headers.set(HEADERS.traceparent, traceparent);
    if (tracestate) headers.set(HEADERS.tracestate, tracestate);
    return target.js.publish(subject, JSON.stringify(envelope), {
      msgID: event.id,
      headers,
      timeout: target.timeoutMs,
      expect: {
        streamName: isSecretEventType(event.type) ? privateStreamOf(target.stream) : target.stream,
      },
    });
  });
}
