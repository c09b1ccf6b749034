import { parseConfig } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { createCatalogApp } from './app.js';
import { buildCatalogDeps } from './build-deps.js';
import { catalogConfigSchema } from './config.js';

/** The service's OpenAPI document, built without a database (the pool never connects). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig(catalogConfigSchema, {
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    LOG_LEVEL: 'silent',
  });
  const built = buildCatalogDeps(config, { keys: createLocalJWKSet({ keys: [] }) });
  try {
    const { app } = createCatalogApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
  }
}
