import { loadConfig, purgeIdempotencyPeriodically, runPeriodically, runService } from '@bonding/kit';
import { createLoansApp } from './app.js';
import { markOverdueInstalments } from './arrears.js';
import { buildLoansDeps } from './build-deps.js';
import { loansConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig(loansConfigSchema);
const { deps, core } = buildLoansDeps(config);
const { logger } = deps;

const background = [
  purgeIdempotencyPeriodically(deps.idempotency, {
    retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
    now: deps.now,
    logger,
  }),
  ...(config.ARREARS_INTERVAL_MS > 0
    ? [runPeriodically('arrears', config.ARREARS_INTERVAL_MS, () => markOverdueInstalments(deps), logger)]
    : []),
];

await runService({ config, core, migrations, service: createLoansApp(deps), background });
