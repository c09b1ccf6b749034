import { createIdempotency, createServiceCore, type ServiceCoreOptions } from '@bonding/kit';
import { businessDateSettable, type LoansConfig } from './config.js';
import type { LoansDatabase } from './db/schema.js';
import type { LoansDeps } from './deps.js';
import { createLoansMetrics } from './metrics.js';

/**
 * Wires the service from its configuration; tests pass their own token keys and
 * a business clock (`now`), which leaves token expiry on the real clock so a
 * test can move the business date months ahead with ordinary tokens.
 */
export function buildLoansDeps(config: LoansConfig, options: ServiceCoreOptions = {}) {
  const { now: businessClock, ...coreOptions } = options;
  const core = createServiceCore<LoansDatabase>('loans', config, coreOptions);
  const now = businessClock ?? core.now;
  const deps: LoansDeps = {
    ...core,
    config,
    now,
    loansMetrics: createLoansMetrics(core.metrics, {
      db: core.db,
      now,
      timeZone: config.BUSINESS_TIME_ZONE,
      followsCalendar: !businessDateSettable(config),
    }),
    idempotency: createIdempotency({
      db: core.db,
      registry: core.metrics.registry,
      leaseMs: config.IDEMPOTENCY_LEASE_MS,
      now,
    }),
  };
  return { deps, core, close: core.close };
}
