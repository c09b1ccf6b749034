import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenDenylist } from '@bonding/kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClientIpResolver } from './client-ip.js';
import type { PluginHandler, RequestContext } from './context.js';
import type { GatewayModel } from './declarative/model.js';
import { type EdgeResponse, errorResponse, proxyErrorResponse } from './kong-response.js';
import { buildPluginChains } from './plugins/registry.js';
import { proxyToService, upstreamTarget } from './proxy.js';
import { InvalidPath, normalizePath } from './router/normalize.js';
import { createRouter } from './router/router.js';

/** Hop-by-hop headers are never forwarded in either direction (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const VIA = '1.1 bonding-gateway (kong/3.9.3 compatible)';

function withoutHopByHop(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}

export interface GatewayOptions {
  model: GatewayModel;
  registry: Registry;
  clientIp: ClientIpResolver;
  logger: Logger;
  /** The port clients reach the gateway on, for X-Forwarded-Port. */
  listenPort: number;
  /** Tokens refused although they verify: users disabled and sessions ended (fed by identity's events). */
  denylist?: TokenDenylist;
  now?: () => number;
}

/** The request handler: route, run the plugin phases in Kong's order, proxy, and log. */
export function createGateway(options: GatewayOptions) {
  const { model, clientIp, logger } = options;
  const router = createRouter(model.routes);
  const chains = buildPluginChains(model, options.registry, options.now, options.denylist);

  function upstreamHeaders(req: IncomingMessage, peer: string, kongRequestId: string) {
    const headers = withoutHopByHop(req.headers);
    const trusted = clientIp.isTrusted(peer);
    const priorFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${peer}` : peer;
    const keep = (name: string, fallback: string) => {
      const incoming = req.headers[name];
      headers[name] = trusted && typeof incoming === 'string' ? incoming : fallback;
    };
    const host = req.headers.host ?? '';
    keep('x-forwarded-proto', 'http');
    keep('x-forwarded-host', host.replace(/:\d+$/, ''));
    keep('x-forwarded-port', String(options.listenPort));
    keep('x-forwarded-path', (req.url ?? '/').split('?')[0] as string);
    delete headers['x-forwarded-prefix'];
    headers['x-real-ip'] = clientIp.resolve(peer, req.headers);
    headers.via = req.headers.via ? `${req.headers.via}, ${VIA}` : VIA;
    headers['x-kong-request-id'] = kongRequestId;
    return headers;
  }

  /** Adds the edge's headers; names are case-insensitive, so a later write of any case replaces an earlier one. */
  function finishHeaders(
    ctx: RequestContext,
    plugins: PluginHandler[],
    headers: Record<string, string | string[]>,
  ) {
    for (const [name, value] of Object.entries(ctx.responseHeaders)) headers[name] = value;
    headers['X-Kong-Request-Id'] = ctx.kongRequestId;
    for (const plugin of plugins) plugin.headerFilter?.(ctx, headers);
    const merged: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) merged[name.toLowerCase()] = value;
    return merged;
  }

  function runLog(ctx: RequestContext, plugins: PluginHandler[]) {
    for (const plugin of plugins) {
      try {
        plugin.log?.(ctx);
      } catch (error) {
        logger.error({ err: error, plugin: plugin.name }, 'plugin log phase failed');
      }
    }
    logger.info(
      {
        requestId: ctx.upstreamHeaders['x-request-id'],
        kongRequestId: ctx.kongRequestId,
        method: ctx.method,
        route: ctx.route?.name ?? null,
        status: ctx.status,
        source: ctx.source,
        durationMs: Math.round((performance.now() - ctx.startedAt) * 100) / 100,
      },
      'request',
    );
  }

  function sendEdgeResponse(
    ctx: RequestContext,
    res: ServerResponse,
    plugins: PluginHandler[],
    response: EdgeResponse,
  ) {
    ctx.source = 'kong';
    ctx.status = response.status;
    const headers: Record<string, string | string[]> = { ...response.headers, Server: 'bonding-gateway' };
    headers['X-Kong-Response-Latency'] = String(Math.round(performance.now() - ctx.startedAt));
    const body = Buffer.from(response.body);
    const final = finishHeaders(ctx, plugins, headers);
    final['content-length'] = String(body.length);
    ctx.bytesOut = body.length;
    res.writeHead(response.status, final);
    res.end(body);
    // A body the client is still sending is drained so the connection stays usable.
    ctx.request.resume();
    runLog(ctx, plugins);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const peer = req.socket.remoteAddress ?? '0.0.0.0';
    const kongRequestId = randomBytes(16).toString('hex');
    const [rawPath = '/', ...queryParts] = (req.url ?? '/').split('?');
    const ctx: RequestContext = {
      request: req,
      method: req.method ?? 'GET',
      path: rawPath,
      query: queryParts.length > 0 ? `?${queryParts.join('?')}` : '',
      kongRequestId,
      clientIp: clientIp.resolve(peer, req.headers),
      startedAt,
      route: undefined,
      service: undefined,
      consumer: undefined,
      credential: undefined,
      upstreamHeaders: upstreamHeaders(req, peer, kongRequestId),
      responseHeaders: {},
      source: 'kong',
      status: 0,
      upstreamLatencyMs: undefined,
      bytesIn: Number(req.headers['content-length'] ?? 0) || 0,
      bytesOut: 0,
      bufferedBody: undefined,
    };

    try {
      ctx.path = normalizePath(rawPath);
    } catch (error) {
      if (!(error instanceof InvalidPath)) throw error;
      sendEdgeResponse(
        ctx,
        res,
        chains.global,
        errorResponse(400, 'Bad request', kongRequestId, req.headers.accept),
      );
      return;
    }

    const match = router.match(ctx.method, ctx.path);
    if (!match) {
      sendEdgeResponse(
        ctx,
        res,
        chains.global,
        errorResponse(404, 'no Route matched with those values', kongRequestId, req.headers.accept),
      );
      return;
    }
    ctx.route = match.route;
    ctx.service = match.route.service;
    const plugins = chains.forRoute(match.route);

    for (const plugin of plugins) {
      let exit: EdgeResponse | undefined;
      try {
        exit = await plugin.access?.(ctx);
      } catch (error) {
        logger.error({ err: error, plugin: plugin.name }, 'plugin access phase failed');
        exit = {
          status: 500,
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: '{"message":"An unexpected error occurred"}',
        };
      }
      if (exit) {
        sendEdgeResponse(ctx, res, plugins, exit);
        return;
      }
    }

    if (!match.route.preserveHost) ctx.upstreamHeaders.host = match.route.service.url.host;
    const upstreamStarted = performance.now();
    const result = await proxyToService(ctx, upstreamTarget(ctx, match.matched));
    const upstream = result.response;
    if (!upstream) {
      const status = result.failure === 'timeout' ? 504 : 502;
      sendEdgeResponse(
        ctx,
        res,
        plugins,
        proxyErrorResponse(status, kongRequestId, req.headers.accept, req.headers['content-type']),
      );
      return;
    }

    ctx.source = 'service';
    ctx.status = upstream.statusCode ?? 502;
    ctx.upstreamLatencyMs = performance.now() - upstreamStarted;
    const headers = withoutHopByHop(upstream.headers);
    headers.via = upstream.headers.via ? `${upstream.headers.via}, ${VIA}` : VIA;
    headers['X-Kong-Upstream-Latency'] = String(Math.round(ctx.upstreamLatencyMs));
    headers['X-Kong-Proxy-Latency'] = String(Math.round(upstreamStarted - startedAt));
    res.writeHead(ctx.status, finishHeaders(ctx, plugins, headers));
    // Streamed as it arrives: server-sent events and large bodies pass unbuffered.
    res.flushHeaders();
    const service = match.route.service;
    upstream.socket?.setTimeout(service.readTimeoutMs, () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => {
      ctx.bytesOut += chunk.length;
    });
    upstream.on('error', () => res.destroy());
    upstream.on('aborted', () => res.destroy());
    upstream.pipe(res);
    const done = () => {
      upstream.socket?.setTimeout(0);
      runLog(ctx, plugins);
    };
    res.once('close', () => {
      if (!upstream.complete) upstream.destroy();
      done();
    });
  };
}
