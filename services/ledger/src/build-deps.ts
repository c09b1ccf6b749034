import { randomInt } from 'node:crypto';
import { createIdempotency, createServiceCore, type ServiceCoreOptions } from '@bonding/kit';
import type { LedgerConfig } from './config.js';
import type { LedgerDatabase } from './db/schema.js';
import type { LedgerDeps } from './deps.js';
import { createLedgerMetrics } from './metrics.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildLedgerDeps(config: LedgerConfig, options: ServiceCoreOptions = {}) {
  const core = createServiceCore<LedgerDatabase>('ledger', config, options);
  const deps: LedgerDeps = {
    ...core,
    config,
    ledgerMetrics: createLedgerMetrics(core.metrics),
    idempotency: createIdempotency({
      db: core.db,
      registry: core.metrics.registry,
      leaseMs: config.IDEMPOTENCY_LEASE_MS,
      now: core.now,
    }),
    randomDigit: () => randomInt(10),
  };
  return { deps, core, close: core.close };
}
