import { Counter, Histogram, type Registry } from 'prom-client';
import type { PluginHandler } from '../context.js';
import type { PrometheusConfig } from './schemas.js';

const LATENCY_BUCKETS_MS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000, 60000];

export interface EdgeMetrics {
  requests: Counter<'service' | 'route' | 'code' | 'source' | 'workspace' | 'consumer'>;
  requestLatency: Histogram<'service' | 'route' | 'workspace'>;
  upstreamLatency: Histogram<'service' | 'route' | 'workspace'>;
  kongLatency: Histogram<'service' | 'route' | 'workspace'>;
  bandwidth: Counter<'service' | 'route' | 'direction' | 'workspace' | 'consumer'>;
}

/** The series Kong's prometheus plugin exports, with its names and labels (KONG-REFERENCE §9). */
export function createEdgeMetrics(registry: Registry): EdgeMetrics {
  const histogram = (name: string, help: string) =>
    new Histogram({
      name,
      help,
      labelNames: ['service', 'route', 'workspace'] as const,
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    });
  return {
    requests: new Counter({
      name: 'kong_http_requests_total',
      help: 'HTTP status codes per consumer/service/route in Kong',
      labelNames: ['service', 'route', 'code', 'source', 'workspace', 'consumer'] as const,
      registers: [registry],
    }),
    requestLatency: histogram(
      'kong_request_latency_ms',
      'Total latency incurred during requests for each service/route in Kong',
    ),
    upstreamLatency: histogram(
      'kong_upstream_latency_ms',
      'Latency added by upstream response for each service/route in Kong',
    ),
    kongLatency: histogram(
      'kong_kong_latency_ms',
      'Latency added by Kong and enabled plugins for each service/route in Kong',
    ),
    bandwidth: new Counter({
      name: 'kong_bandwidth_bytes',
      help: 'Total bandwidth (ingress/egress) throughput in bytes',
      labelNames: ['service', 'route', 'direction', 'workspace', 'consumer'] as const,
      registers: [registry],
    }),
  };
}

/** Records per-request series in the log phase; requests that matched no route are not recorded. */
export function prometheus(config: PrometheusConfig, priority: number, metrics: EdgeMetrics): PluginHandler {
  return {
    name: 'prometheus',
    priority,
    log(ctx) {
      if (!ctx.route || !ctx.service) return;
      const service = ctx.service.name;
      const route = ctx.route.name;
      const workspace = 'default';
      const consumer = config.per_consumer ? (ctx.consumer?.username ?? '') : '';
      if (config.status_code_metrics) {
        metrics.requests.inc({
          service,
          route,
          code: String(ctx.status),
          source: ctx.source,
          workspace,
          consumer,
        });
      }
      if (config.latency_metrics) {
        const total = performance.now() - ctx.startedAt;
        metrics.requestLatency.observe({ service, route, workspace }, total);
        if (ctx.upstreamLatencyMs !== undefined) {
          metrics.upstreamLatency.observe({ service, route, workspace }, ctx.upstreamLatencyMs);
          metrics.kongLatency.observe(
            { service, route, workspace },
            Math.max(0, total - ctx.upstreamLatencyMs),
          );
        } else {
          metrics.kongLatency.observe({ service, route, workspace }, total);
        }
      }
      if (config.bandwidth_metrics) {
        metrics.bandwidth.inc({ service, route, direction: 'ingress', workspace, consumer }, ctx.bytesIn);
        metrics.bandwidth.inc({ service, route, direction: 'egress', workspace, consumer }, ctx.bytesOut);
      }
    },
  };
}
