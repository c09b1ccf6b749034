import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export interface StoredTraceContext {
  traceparent: string | null;
  tracestate: string | null;
}

const MAX_TRACEPARENT = 55;
const MAX_TRACESTATE = 512;

/**
 * The W3C trace context of whatever is running now (the request that causes an event), to store with the
 * event. Empty when tracing is off: the API's propagator is then a no-op.
 */
export function captureTraceContext(): StoredTraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier.traceparent;
  const tracestate = carrier.tracestate;
  return {
    traceparent: traceparent && traceparent.length <= MAX_TRACEPARENT ? traceparent : null,
    tracestate: tracestate && tracestate.length <= MAX_TRACESTATE ? tracestate : null,
  };
}

const tracer = trace.getTracer('@bonding/kit/events');

/**
 * Runs `work` in a span that continues the stored trace, so the publish (and, through the message's
 * traceparent header, the consumer's handling) joins the trace of the request that caused the event.
 * Without tracing this is a plain call.
 */
export function continueStoredTrace<T>(
  stored: StoredTraceContext,
  name: string,
  attributes: Record<string, string | number>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const carrier: Record<string, string> = {};
  if (stored.traceparent) carrier.traceparent = stored.traceparent;
  if (stored.tracestate) carrier.tracestate = stored.tracestate;
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  return tracer.startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } finally {
      span.end();
    }
  });
}

/**
 * Runs a consumer's handling of one event in its own span, under the context the caller extracted from
 * the message. The handler's queries, and the context any event it emits stores, hang below this span,
 * so the next hop continues from here.
 */
export function processInSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
