import type { Logger } from '../logger.js';
import { type PeriodicTask, runPeriodically } from '../periodic.js';
import type { Idempotency } from './middleware.js';

/** Hourly, deletes the completed Idempotency-Key records older than the retention. */
export function purgeIdempotencyPeriodically(
  idempotency: Idempotency,
  options: { retentionHours: number; now: () => Date; logger: Logger },
): PeriodicTask {
  return runPeriodically(
    'idempotency-purge',
    60 * 60_000,
    () => idempotency.purge(new Date(options.now().getTime() - options.retentionHours * 3_600_000)),
    options.logger,
  );
}
