import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@bonding/kit';
import { createIdentityApp } from './app.js';
import { buildIdentityDeps } from './build-deps.js';
import { identityConfigSchema } from './config.js';

/**
 * The service's OpenAPI document, built without a database or real keys: the
 * routes do not depend on either. Used to merge the platform's API reference at
 * build time and to check kong.yml against what the service serves.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const keysDir = mkdtempSync(join(tmpdir(), 'identity-doc-keys-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(keysDir, 'doc.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const config = parseConfig(identityConfigSchema, {
    // Never connected to: the pool opens connections only when a query runs.
    MYSQL_URL: 'mysql://documentation@127.0.0.1:1/documentation',
    JWT_KEYS_DIR: keysDir,
    LOG_LEVEL: 'silent',
  });
  const built = await buildIdentityDeps(config);
  try {
    const { app } = createIdentityApp(built.deps);
    return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
  } finally {
    await built.close();
    rmSync(keysDir, { recursive: true, force: true });
  }
}
