import { parseConfig } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { createLoansApp } from './app.js';
import { buildLoansDeps } from './build-deps.js';
import { loansConfigSchema } from './config.js';

/** The service's OpenAPI document, built without a database (the pool never connects). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig(loansConfigSchema, {
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    LOG_LEVEL: 'silent',
  });
  const built = buildLoansDeps(config, { keys: createLocalJWKSet({ keys: [] }) });
  try {
    const { app } = createLoansApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
  }
}
