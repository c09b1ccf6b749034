import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import type { HealthState } from './http/health.js';

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), then runs the cleanups. */
  shutdown(signal?: string): Promise<void>;
}

export interface StartServerOptions {
  app: { fetch: (request: Request) => Response | Promise<Response> };
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

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, health, logger, shutdownTimeoutMs, cleanups = [] } = options;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(created),
    );
    created.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'listening');

  let stopping: Promise<void> | undefined;
  function shutdown(signal = 'shutdown'): Promise<void> {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down');
      health.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections turn idle as their last request finishes; close them as they do,
      // instead of waiting for the keep-alive timeout.
      const reaper = setInterval(() => {
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }, 50);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
      });
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
