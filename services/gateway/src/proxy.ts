// The module object, not named imports: the tracing preload patches `http.request` on it, and a named
// binding taken after another module has loaded node:http keeps the unpatched function (no edge client
// span, no traceparent upstream).
import http, { type IncomingMessage } from 'node:http';
import type { RequestContext } from './context.js';
import type { Service } from './declarative/model.js';
import { escapePath } from './router/normalize.js';

export type UpstreamFailure = 'refused' | 'timeout';

export interface UpstreamResult {
  response?: IncomingMessage;
  failure?: UpstreamFailure;
}

const agents = new Map<string, http.Agent>();
function agentFor(service: Service): http.Agent {
  let agent = agents.get(service.id);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    agents.set(service.id, agent);
  }
  return agent;
}

/** The upstream request target: the service's base path joined with the (stripped) normalised path. */
export function upstreamTarget(ctx: RequestContext, matched: string): string {
  const service = ctx.service as Service;
  const base = service.url.pathname || '/';
  const rest = ctx.route?.stripPath ? ctx.path.slice(matched.length) : ctx.path;
  let joined: string;
  if (rest === '') joined = base;
  else if (base.endsWith('/') && rest.startsWith('/')) joined = base + rest.slice(1);
  else if (!base.endsWith('/') && !rest.startsWith('/')) joined = `${base}/${rest}`;
  else joined = base + rest;
  return escapePath(joined) + ctx.query;
}

/**
 * One attempt to reach the service. The body is only read once a connection is
 * up, so an attempt that cannot connect leaves it intact for the next retry.
 */
function attempt(ctx: RequestContext, target: string): Promise<UpstreamResult> {
  const service = ctx.service as Service;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: UpstreamResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    const upstream = http.request({
      protocol: service.url.protocol,
      hostname: service.url.hostname,
      port: service.url.port || 80,
      method: ctx.method,
      path: target,
      headers: ctx.upstreamHeaders,
      agent: agentFor(service),
    });
    const connectTimer = setTimeout(() => {
      upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    }, service.connectTimeoutMs);

    const sendBody = () => {
      clearTimeout(connectTimer);
      // Until the response head arrives, silence longer than read_timeout is a timeout (504).
      upstream.setTimeout(service.readTimeoutMs, () => {
        upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' }));
      });
      if (ctx.bufferedBody) upstream.end(ctx.bufferedBody);
      else ctx.request.pipe(upstream);
    };
    upstream.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', sendBody);
      else sendBody();
    });
    upstream.on('response', (response) => {
      upstream.setTimeout(0);
      settle({ response });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      settle({ failure: error.code === 'ETIMEDOUT' ? 'timeout' : 'refused' });
    });
  });
}

/** Tries the service up to 1 + retries times, as nginx's proxy_next_upstream (error, timeout) does. */
export async function proxyToService(
  ctx: RequestContext,
  target: string,
): Promise<UpstreamResult & { upstream?: never }> {
  const service = ctx.service as Service;
  let last: UpstreamResult = { failure: 'refused' };
  for (let tries = 0; tries <= service.retries; tries++) {
    // A body already streamed upstream cannot be sent again.
    if (tries > 0 && !ctx.bufferedBody && ctx.request.readableDidRead) break;
    last = await attempt(ctx, target);
    if (last.response) return last;
  }
  return last;
}
