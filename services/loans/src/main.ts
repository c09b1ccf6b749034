import { loadConfig, purgeIdempotencyPeriodically, runPeriodically, runService } from '@bonding/kit';
import { createLoansApp } from './app.js';
import { buildLoansDeps } from './build-deps.js';
import { businessDateSettable, loansConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';
import { followCalendar } from './lending/lending-service.js';

const config = loadConfig(loansConfigSchema);
const { deps, core } = buildLoansDeps(config);
const { logger } = deps;

const background = [
  purgeIdempotencyPeriodically(deps.idempotency, {
    retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
    now: deps.now,
    logger,
  }),
  // Where admins do not move the business date, it follows the calendar: each date is closed once it is over.
  ...(!businessDateSettable(config) && config.CLOSE_OF_BUSINESS_CHECK_INTERVAL_MS > 0
    ? [
        runPeriodically(
          'close-of-business',
          config.CLOSE_OF_BUSINESS_CHECK_INTERVAL_MS,
          () => followCalendar(deps),
          logger,
        ),
      ]
    : []),
];

await runService({ config, core, migrations, service: createLoansApp(deps), background });
