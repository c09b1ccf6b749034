import { parseConfig } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { createLedgerApp } from './app.js';
import { buildLedgerDeps } from './build-deps.js';
import { ledgerConfigSchema } from './config.js';

/** The service's OpenAPI document, built without a database (the pool never connects). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig(ledgerConfigSchema, {
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    LOG_LEVEL: 'silent',
  });
  const built = buildLedgerDeps(config, { keys: createLocalJWKSet({ keys: [] }) });
  try {
    const { app } = createLedgerApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
  }
}
