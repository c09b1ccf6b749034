import { type AddressInfo, Server as NetServer } from 'node:net';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import type { Logger } from 'pino';
import type { HealthState } from './http/health.js';

/** What @hono/node-server passes to fetch next to the request: the Node request and response. */
type NodeBindings = HttpBindings | Http2Bindings;

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), then runs the cleanups. */
  shutdown(signal?: string): Promise<void>;
}

export interface StartServerOptions {
  app: { fetch: (request: Request, env: NodeBindings) => Response | Promise<Response> };
  health: HealthState;
  logger: Logger;
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /** Run after the server has closed, e.g. closing the database pool. */
  cleanups?: Array<() => Promise<void> | void>;
  /** Exit the process on SIGTERM/SIGINT once shut down (service entry points). */
  handleSignals?: boolean;
}

/**
 * How long connections that were idle when shutdown began may still carry a request (answered, then
 * closed) before they are closed: a client may already have sent its next request down one.
 */
const IDLE_CONNECTION_GRACE_MS = 1_000;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, health, logger, shutdownTimeoutMs, cleanups = [] } = options;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    // Once draining, every response closes its connection (Connection: close), so a client never
    // sends another request down a connection that is about to go away.
    const fetch = async (request: Request, env: NodeBindings) => {
      const response = await app.fetch(request, env);
      if (health.draining && 'shouldKeepAlive' in env.outgoing) env.outgoing.shouldKeepAlive = false;
      return response;
    };
    const created = serve({ fetch, hostname: options.host, port: options.port }, () => resolve(created));
    created.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'listening');

  let stopping: Promise<void> | undefined;
  function shutdown(signal = 'shutdown'): Promise<void> {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down');
      health.draining = true;
      // Stop listening only. http.Server#close would also close idle keep-alive connections at once,
      // and a client that had just sent its next request down one would get a reset instead of an
      // answer (a request Node has not parsed yet counts as idle). Connections close below instead.
      const closed = new Promise<'closed'>((resolve) =>
        NetServer.prototype.close.call(server, () => resolve('closed')),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
      });
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<'grace'>((resolve) => {
        graceTimer = setTimeout(
          () => resolve('grace'),
          Math.min(IDLE_CONNECTION_GRACE_MS, shutdownTimeoutMs),
        );
      });
      await Promise.race([closed, grace]);
      clearTimeout(graceTimer);
      // After the grace, keep-alive connections are closed as they turn idle, instead of waiting for
      // the keep-alive timeout.
      const reaper = setInterval(() => {
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }, 50);
      if ((await Promise.race([closed, deadline])) === 'timeout') {
        logger.warn(
          { timeoutMs: shutdownTimeoutMs },
          'in-flight requests did not finish in time; closing connections',
        );
        if ('closeAllConnections' in server) server.closeAllConnections();
        await closed;
      }
      clearTimeout(timer);
      clearInterval(reaper);
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch (error) {
          logger.error({ err: error }, 'cleanup failed during shutdown');
        }
      }
      logger.info('stopped');
    })();
    return stopping;
  }

  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(() => process.exit(0));
      });
    }
  }
  return { port, shutdown };
}
