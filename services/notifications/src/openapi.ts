import { parseConfig } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { createNotificationsApp } from './app.js';
import { buildNotificationsDeps } from './build-deps.js';
import { notificationsConfigSchema } from './config.js';

/** The service's OpenAPI document, built without a database or real keys. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig(notificationsConfigSchema, {
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    LOG_LEVEL: 'silent',
  });
  const built = buildNotificationsDeps(config, { keys: createLocalJWKSet({ keys: [] }) });
  try {
    const { app } = createNotificationsApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
  }
}
