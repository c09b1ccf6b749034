import type { PluginHandler, RequestContext } from '../context.js';
import { errorResponse } from '../kong-response.js';
import type { RateLimitingConfig } from './schemas.js';

const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
type Period = (typeof PERIODS)[number];
/** Kong's fixed window lengths in seconds (K plugins/rate-limiting/expiration.lua). */
const WINDOW_SECONDS: Record<Period, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  month: 2592000,
  year: 31536000,
};
const TITLE: Record<Period, string> = {
  second: 'Second',
  minute: 'Minute',
  hour: 'Hour',
  day: 'Day',
  month: 'Month',
  year: 'Year',
};

/**
 * A request header's first value, as Kong's kong.request.get_header returns it: a header sent twice counts
 * by its first copy, and one sent empty is an (empty) identifier of its own, not a missing one.
 */
function firstHeaderValue(ctx: RequestContext, name: string): string | undefined {
  return ctx.request.headersDistinct[name.toLowerCase()]?.[0];
}

/** Start of the UTC-aligned window containing `now` (ms): calendar months and years, fixed otherwise. */
export function windowStart(period: Period, now: number): number {
  const date = new Date(now);
  switch (period) {
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'year':
      return Date.UTC(date.getUTCFullYear(), 0, 1);
    default: {
      const size = WINDOW_SECONDS[period] * 1000;
      return Math.floor(now / size) * size;
    }
  }
}

/**
 * Kong's `local` policy: counters per plugin instance and identifier in this
 * process's memory, fixed UTC windows, admitted requests counted, rejected ones
 * not. Like Kong's per-node counters, several gateway replicas would each count
 * on their own.
 */
export function rateLimiting(
  config: RateLimitingConfig,
  priority: number,
  instanceId: string,
  now: () => number = Date.now,
): PluginHandler {
  const limits = PERIODS.filter((p) => config[p] !== undefined).map((p) => ({
    period: p,
    limit: config[p] as number,
  }));
  const counters = new Map<string, number>();
  let lastSweep = 0;

  function sweep(at: number): void {
    if (at - lastSweep < 60_000) return;
    lastSweep = at;
    for (const key of counters.keys()) {
      const [period, start] = key.split('|', 3) as [Period, string];
      if (windowStart(period, at) > Number(start)) counters.delete(key);
    }
  }

  /** Kong's get_identifier: whom this request counts against; the client IP when that is missing. */
  function identifier(ctx: RequestContext): string {
    if (config.limit_by === 'consumer') return ctx.consumer?.id ?? ctx.credential?.id ?? ctx.clientIp;
    if (config.limit_by === 'credential') return ctx.credential?.id ?? ctx.clientIp;
    if (config.limit_by === 'header') return firstHeaderValue(ctx, config.header_name ?? '') ?? ctx.clientIp;
    return ctx.clientIp;
  }

  return {
    name: 'rate-limiting',
    priority,
    access(ctx) {
      const at = now();
      sweep(at);
      const who = identifier(ctx);
      const usage = limits.map(({ period, limit }) => {
        const start = windowStart(period, at);
        const key = `${period}|${start}|${instanceId}|${who}`;
        const used = counters.get(key) ?? 0;
        const elapsed = Math.floor((at - start) / 1000);
        return { period, limit, key, used, reset: Math.max(1, WINDOW_SECONDS[period] - elapsed) };
      });
      const exceeded = usage.filter((u) => u.limit - u.used <= 0);
      const remaining = (u: (typeof usage)[number]) =>
        exceeded.length === 0 || exceeded.includes(u)
          ? Math.max(0, u.limit - u.used - 1)
          : Math.max(0, u.limit - u.used);

      if (!config.hide_client_headers) {
        // The most restrictive period: the lowest remaining, ties going to the longer window.
        let strictest = usage[0] as (typeof usage)[number];
        for (const u of usage) if (remaining(u) <= remaining(strictest)) strictest = u;
        for (const u of usage) {
          ctx.responseHeaders[`X-RateLimit-Limit-${TITLE[u.period]}`] = String(u.limit);
          ctx.responseHeaders[`X-RateLimit-Remaining-${TITLE[u.period]}`] = String(remaining(u));
        }
        ctx.responseHeaders['RateLimit-Limit'] = String(strictest.limit);
        ctx.responseHeaders['RateLimit-Remaining'] = String(remaining(strictest));
        ctx.responseHeaders['RateLimit-Reset'] = String(strictest.reset);
      }
      if (exceeded.length > 0) {
        const reset = Math.max(...exceeded.map((u) => u.reset));
        const response = errorResponse(
          config.error_code,
          config.error_message,
          ctx.kongRequestId,
          ctx.request.headers.accept,
        );
        response.headers['Retry-After'] = String(
          config.hide_client_headers ? reset : ctx.responseHeaders['RateLimit-Reset'],
        );
        return response;
      }
      for (const u of usage) counters.set(u.key, u.used + 1);
      return undefined;
    },
  };
}
