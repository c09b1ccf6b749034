import { createLogger, loadConfig } from '@bonding/kit';
import { gatewayConfigSchema } from './config.js';
import { GatewayConfigError } from './declarative/load.js';
import { startGateway } from './server.js';

const config = loadConfig(gatewayConfigSchema);
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });

try {
  const gateway = await startGateway(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void gateway.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  if (!(error instanceof GatewayConfigError)) throw error;
  process.stderr.write(`gateway: ${error.message}\n`);
  process.exit(1);
}
