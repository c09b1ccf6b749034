import { loadConfig, runMigrations, startServer } from '@bonding/kit';
import { createStudentsApp } from './app.js';
import { buildStudentsDeps } from './build-deps.js';
import { studentsConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig(studentsConfigSchema);
const { deps, close } = buildStudentsDeps(config);

if (config.MIGRATE_ON_START) {
  const applied = await runMigrations(deps.db, new URL(config.MYSQL_URL).pathname.slice(1), migrations);
  deps.logger.info({ applied }, 'migrations applied');
}

const { app, health } = createStudentsApp(deps);
// Revocations persisted by any replica are loaded before traffic; then the relay and purge start.
await deps.events.start();
await startServer({
  app,
  health,
  logger: deps.logger,
  host: config.HOST,
  port: config.PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  cleanups: [() => deps.events.stop(), close],
  handleSignals: true,
});
