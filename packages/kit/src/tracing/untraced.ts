import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * The context key of @opentelemetry/core's suppressTracing(): a Symbol.for of
 * this description, so it is the same key the SDK's tracer checks. The kit
 * depends on the API only, hence the key rather than the function.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Runs background plumbing (the outbox publisher's polling, purges, the
 * revocation sync) with tracing suppressed and detached from whatever trace
 * scheduled it: otherwise every poll would be a trace of its own, thousands of
 * root spans of one query each. Work that belongs to a trace re-enters it
 * explicitly (a delivery continues its event's stored context).
 */
export function runUntraced<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT.setValue(SUPPRESS_TRACING, true), work);
}
