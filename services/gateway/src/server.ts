import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createClientIpResolver } from './client-ip.js';
import type { GatewayConfig } from './config.js';
import { loadDeclarativeConfigFile } from './declarative/load.js';
import { createGatewayDenylist } from './denylist.js';
import { createGateway } from './gateway.js';

export interface RunningGateway {
  port: number;
  statusPort: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** How long the start waits for the denylist's first attempt before serving anyway (the services still refuse). */
const DENYLIST_START_WAIT_MS = 10_000;

/**
 * Loads the configuration (refusing what it cannot enforce), starts reading identity's events into the
 * token denylist (waiting a little for it, so tokens ended right after the start are refused here too),
 * then serves the proxy and status ports. The proxy port routes what kong.yml declares, and never /internal.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const model = loadDeclarativeConfigFile(config.GATEWAY_CONFIG);
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gateway' });
  collectDefaultMetrics({ register: registry });
  const clientIp = createClientIpResolver({
    trustedIps: config.TRUSTED_IPS,
    realIpHeader: config.REAL_IP_HEADER,
    realIpRecursive: config.REAL_IP_RECURSIVE,
  });

  const denylist = createGatewayDenylist(config, registry, logger);
  let waited: NodeJS.Timeout | undefined;
  const consuming = await Promise.race([
    denylist.ready(),
    new Promise<boolean>((resolve) => {
      waited = setTimeout(() => resolve(false), DENYLIST_START_WAIT_MS);
    }),
  ]);
  clearTimeout(waited);
  if (!consuming) logger.warn('the denylist is not reading events yet; serving meanwhile, it keeps trying');

  const proxy = createServer({ requestTimeout: 0 });
  const status = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
    } else if (req.url === '/status/ready' || req.url === '/readyz' || req.url === '/livez') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"message":"ready"}');
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not found"}');
    }
  });
  const port = await listen(proxy, config.PORT, config.HOST);
  const statusPort = await listen(status, config.STATUS_PORT, config.HOST);
  const handle = createGateway({
    model,
    registry,
    clientIp,
    logger,
    listenPort: port,
    denylist: denylist.list,
  });
  proxy.on('request', (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'gateway failed on a request');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end('{"message":"An unexpected error occurred"}');
    });
  });
  logger.info(
    { port, statusPort, routes: model.routes.length, services: model.services.length },
    'gateway listening',
  );

  return {
    port,
    statusPort,
    async close() {
      await denylist.stop();
      await Promise.all(
        [proxy, status].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeIdleConnections();
              setTimeout(() => server.closeAllConnections(), 5_000).unref();
            }),
        ),
      );
    },
  };
}
