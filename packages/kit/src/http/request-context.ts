import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import { uuidv7 } from '../ids.js';
import type { ServiceMetrics } from '../metrics.js';
import { tagSpanWithRequestId } from '../tracing/request-id.js';

const REQUEST_ID_HEADER = 'X-Request-ID';
const ACCEPTABLE_REQUEST_ID = /^[\w.:@/+=-]{1,200}$/;
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/** Honours a sane incoming X-Request-ID (the edge sets one), otherwise makes one; echoes it. */
export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : uuidv7();
    c.set('requestId', id);
    tagSpanWithRequestId(id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
  };
}

/** The route template that served the request, never the raw path (bounded metric labels). */
function routeTemplate(c: Parameters<MiddlewareHandler>[0]): string {
  const last = matchedRoutes(c).at(-1);
  return last && last.method !== 'ALL' ? last.path : 'unmatched';
}

/** One log line and one histogram observation per request. */
export function accessLog(logger: Logger, metrics: ServiceMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeTemplate(c);
      const status = c.res.status;
      metrics.httpRequestDuration.observe({ method: c.req.method, route, status: String(status) }, seconds);
      const line = {
        requestId: c.get('requestId'),
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(seconds * 100_000) / 100,
        ...(c.get('principal') ? { userId: c.get('principal').userId } : {}),
      };
      if (QUIET_PATHS.has(c.req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
