import { loadConfig, runMigrations, startServer } from '@bonding/kit';
import { createLedgerApp } from './app.js';
import { runPeriodically } from './background.js';
import { buildLedgerDeps } from './build-deps.js';
import { ledgerConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';
import { ensureSystemAccounts } from './db/system-accounts.js';
import { runReconciliation } from './reconciliation.js';

const config = loadConfig(ledgerConfigSchema);
const { deps, close } = buildLedgerDeps(config);
const { logger } = deps;

if (config.MIGRATE_ON_START) {
  const applied = await runMigrations(deps.db, new URL(config.MYSQL_URL).pathname.slice(1), migrations);
  logger.info({ applied }, 'migrations applied');
}
try {
  const opened = await ensureSystemAccounts(deps.db, config.CURRENCIES, deps.now());
  logger.info({ opened, currencies: config.CURRENCIES }, 'system accounts checked');
} catch (error) {
  // The database or its schema may not be there yet; readiness keeps trying and stays red until then.
  logger.error({ err: error }, 'could not check the system accounts');
}

const { app, health } = createLedgerApp(deps);
await deps.events.start();
const tasks = [
  runPeriodically(
    'idempotency-purge',
    60 * 60_000,
    () =>
      deps.idempotency.purge(new Date(deps.now().getTime() - config.IDEMPOTENCY_RETENTION_HOURS * 3_600_000)),
    logger,
  ),
  ...(config.RECONCILIATION_INTERVAL_MS > 0
    ? [
        runPeriodically(
          'reconciliation',
          config.RECONCILIATION_INTERVAL_MS,
          () => runReconciliation(deps),
          logger,
        ),
      ]
    : []),
];
await startServer({
  app,
  health,
  logger,
  host: config.HOST,
  port: config.PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // Background work stops (finishing what is in flight) before the pool it uses closes.
  cleanups: [...tasks.map((task) => () => task.stop()), () => deps.events.stop(), close],
  handleSignals: true,
});
