import type { PluginHandler } from '../context.js';
import type { OpentelemetryConfig } from './schemas.js';

/**
 * Kong's opentelemetry plugin opens a span per request and sends its W3C
 * traceparent upstream, so the services' spans join the edge's trace. Here the
 * gateway process itself carries that behaviour: it is instrumented like every
 * service (@bonding/kit/tracing, loaded with --import), so each request gets a
 * server span and the upstream call a client span whose traceparent the
 * service continues (proxy.ts calls `http.request` on the module for that).
 * The request id is tagged on the span by correlation-id. The config is
 * checked but its endpoint, resource attributes and sampling_rate are real
 * Kong's: the gateway exports and samples per the standard OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER), as `npm start` passes
 * them to every process, and names itself `gateway`.
 */
export function opentelemetry(_config: OpentelemetryConfig, priority: number): PluginHandler {
  return { name: 'opentelemetry', priority };
}
