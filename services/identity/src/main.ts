import { loadConfig, runMigrations, startServer } from '@bonding/kit';
import { createIdentityApp } from './app.js';
import { buildIdentityDeps } from './build-deps.js';
import { identityConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';
import { ensureFirstAdmin } from './first-admin.js';

const config = loadConfig(identityConfigSchema);
const { deps, close } = await buildIdentityDeps(config);
const { logger } = deps;

if (config.MIGRATE_ON_START) {
  const applied = await runMigrations(deps.db, new URL(config.MYSQL_URL).pathname.slice(1), migrations);
  logger.info({ applied }, 'migrations applied');
}
if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
  try {
    const outcome = await ensureFirstAdmin(deps.db, config.ADMIN_EMAIL, config.ADMIN_PASSWORD, deps.now());
    logger.info({ outcome }, 'first admin checked');
  } catch (error) {
    // The database may not be up yet; readiness stays red and the next start retries.
    logger.error({ err: error }, 'could not check the first admin');
  }
}

const { app, health } = createIdentityApp(deps);
// Revocations persisted by any replica are loaded before traffic; the relay then delivers the outbox.
await deps.events.start();
await startServer({
  app,
  health,
  logger,
  host: config.HOST,
  port: config.PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // The relay stops (finishing deliveries in flight) before the pool it uses closes.
  cleanups: [() => deps.events.stop(), close],
  handleSignals: true,
});
