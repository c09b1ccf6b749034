import type { PluginHandler, RequestContext } from '../context.js';
import type { EdgeResponse } from '../kong-response.js';
import type { CorsConfig } from './schemas.js';

const PLAIN_ORIGIN = /^[A-Za-z0-9.:/-]+$/;

function normalisedOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

/** Kong's CORS rules (KONG-REFERENCE §6): preflights answered 200, other responses decorated. */
export function cors(config: CorsConfig, priority: number): PluginHandler {
  const wildcard = config.origins.length === 0 || config.origins.includes('*');
  const matchers = config.origins
    .filter((o) => o !== '*')
    .map((entry) => {
      if (PLAIN_ORIGIN.test(entry)) {
        const wanted = normalisedOrigin(entry) ?? entry;
        return (origin: string) => normalisedOrigin(origin) === wanted;
      }
      const regex = new RegExp(`${entry}$`);
      return (origin: string) => {
        const subject = entry.includes(':')
          ? origin
          : (normalisedOrigin(origin)?.replace(/^\w+:\/\//, '') ?? origin);
        return regex.test(subject);
      };
    });

  function allowOrigin(ctx: RequestContext, headers: Record<string, string | string[]>): void {
    const origin = ctx.request.headers.origin;
    if (wildcard) {
      headers['Access-Control-Allow-Origin'] = config.credentials && origin ? origin : '*';
      return;
    }
    if (config.origins.length === 1 && PLAIN_ORIGIN.test(config.origins[0] as string)) {
      headers['Access-Control-Allow-Origin'] = config.origins[0] as string;
      headers.Vary = 'Origin';
      return;
    }
    headers.Vary = 'Origin';
    if (origin && matchers.some((match) => match(origin))) headers['Access-Control-Allow-Origin'] = origin;
    else delete headers['Access-Control-Allow-Origin'];
  }

  return {
    name: 'cors',
    priority,
    access(ctx): EdgeResponse | undefined {
      const req = ctx.request;
      const preflight =
        ctx.method === 'OPTIONS' && req.headers.origin && req.headers['access-control-request-method'];
      if (!preflight || config.preflight_continue) return undefined;
      const headers: Record<string, string | string[]> = {};
      allowOrigin(ctx, headers);
      const requested = req.headers['access-control-request-headers'];
      const allowHeaders = config.headers.length > 0 ? config.headers.join(',') : requested;
      if (allowHeaders) headers['Access-Control-Allow-Headers'] = allowHeaders;
      headers['Access-Control-Allow-Methods'] = config.methods.join(',');
      if (config.max_age !== undefined) headers['Access-Control-Max-Age'] = String(config.max_age);
      if (config.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
      if (config.private_network && req.headers['access-control-request-private-network'] === 'true') {
        headers['Access-Control-Allow-Private-Network'] = 'true';
      }
      return { status: 200, headers: headers as Record<string, string>, body: '' };
    },
    headerFilter(ctx, headers) {
      // A preflight answered above already carries its headers.
      if (ctx.source === 'kong' && ctx.status === 200 && ctx.method === 'OPTIONS') return;
      allowOrigin(ctx, headers);
      if (config.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
      if (config.exposed_headers.length > 0)
        headers['Access-Control-Expose-Headers'] = config.exposed_headers.join(',');
    },
  };
}
