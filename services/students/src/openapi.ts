import { randomBytes } from 'node:crypto';
import { parseConfig } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { createStudentsApp } from './app.js';
import { buildStudentsDeps } from './build-deps.js';
import { studentsConfigSchema } from './config.js';

/** The service's OpenAPI document, built without a database or real keys. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const throwaway = randomBytes(32).toString('base64');
  const config = parseConfig(studentsConfigSchema, {
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    LOG_LEVEL: 'silent',
    FIELD_ENCRYPTION_KEYS: `doc:${throwaway}`,
    BLIND_INDEX_KEY: throwaway,
  });
  const built = buildStudentsDeps(config, { keys: createLocalJWKSet({ keys: [] }) });
  try {
    const { app } = createStudentsApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
  }
}
