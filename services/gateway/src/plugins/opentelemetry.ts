import type { PluginHandler } from '../context.js';
import type { OpentelemetryConfig } from './schemas.js';

/**
 * Kong's opentelemetry plugin propagates W3C trace context and, with Kong's
 * tracing instrumentations on, exports edge spans. Here the gateway process is
 * itself instrumented (@bonding/kit/tracing, loaded with --import): its HTTP
 * server and client spans carry the same context upstream, so the plugin has
 * nothing to add per request. Its endpoint and sampling settings are honoured
 * through the standard OTEL_* variables the start script derives from them.
 */
export function opentelemetry(_config: OpentelemetryConfig, priority: number): PluginHandler {
  return { name: 'opentelemetry', priority };
}
