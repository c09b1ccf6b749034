import { loadConfig, runService } from '@bonding/kit';
import { createIdentityApp } from './app.js';
import { buildIdentityDeps } from './build-deps.js';
import { identityConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';
import { ensureFirstAdmin } from './first-admin.js';

const config = loadConfig(identityConfigSchema);
const { deps, core } = await buildIdentityDeps(config);

await runService({
  config,
  core,
  migrations,
  service: createIdentityApp(deps),
  async prepare() {
    if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
    const outcome = await ensureFirstAdmin(deps.db, config.ADMIN_EMAIL, config.ADMIN_PASSWORD, deps.now());
    deps.logger.info({ outcome }, 'first admin checked');
  },
});
