import { existsSync, readFileSync } from 'node:fs';
import { createLogger, createServiceMetrics, loadConfig, startServer } from '@bonding/kit';
import { z } from 'zod';
import { createDocsApp } from './app.js';
import { buildPlatformDocument } from './sources.js';

const config = loadConfig(
  z.object({
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3010),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The document built by `npm run build` (in images); without it, built from the sources at start. */
    OPENAPI_FILE: z.string().default(''),
  }),
);
const logger = createLogger({ service: 'docs', level: config.LOG_LEVEL });
const document =
  config.OPENAPI_FILE && existsSync(config.OPENAPI_FILE)
    ? JSON.parse(readFileSync(config.OPENAPI_FILE, 'utf8'))
    : await buildPlatformDocument();
const { app, health } = createDocsApp({ document, logger, metrics: createServiceMetrics('docs') });
await startServer({
  app,
  health,
  logger,
  host: config.HOST,
  port: config.PORT,
  shutdownTimeoutMs: 5_000,
  handleSignals: true,
});
