import { context, propagation, ROOT_CONTEXT, type SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

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
 * Runs `work` in a span under a stored trace context: an event's publish (PRODUCER) under the request that
 * caused it, a consumer's handling (CONSUMER) under the context its message carries. The handler's
 * queries, and the context any event it emits stores, hang below the span, so the next hop continues
 * from there. Without tracing this is a plain call.
 */
export function inStoredTrace<T>(
  stored: StoredTraceContext,
  name: string,
  kind: SpanKind.PRODUCER | SpanKind.CONSUMER,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const carrier: Record<string, string> = {};
  if (stored.traceparent) carrier.traceparent = stored.traceparent;
  if (stored.tracestate) carrier.tracestate = stored.tracestate;
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  return tracer.startActiveSpan(name, { kind, attributes }, parent, async (span) => {
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
