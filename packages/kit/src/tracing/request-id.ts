import { trace } from '@opentelemetry/api';

/** The span attribute that carries the X-Request-ID, so a trace leads to its log lines and back. */
export const REQUEST_ID_ATTRIBUTE = 'request.id';

/** Tags the span of the request being handled (a no-op without tracing). */
export function tagSpanWithRequestId(id: string): void {
  trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, id);
}
