import { loadConfig, purgeIdempotencyPeriodically, runPeriodically, runService } from '@bonding/kit';
import { createLedgerApp } from './app.js';
import { buildLedgerDeps } from './build-deps.js';
import { ledgerConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';
import { ensureSystemAccounts } from './db/system-accounts.js';
import { runReconciliation } from './reconciliation.js';

const config = loadConfig(ledgerConfigSchema);
const { deps, core } = buildLedgerDeps(config);
const { logger } = deps;

const background = [
  purgeIdempotencyPeriodically(deps.idempotency, {
    retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
    now: deps.now,
    logger,
  }),
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

await runService({
  config,
  core,
  migrations,
  service: createLedgerApp(deps),
  async prepare() {
    const opened = await ensureSystemAccounts(deps.db, config.CURRENCIES, deps.now());
    logger.info({ opened, currencies: config.CURRENCIES }, 'system accounts checked');
  },
  background,
});
