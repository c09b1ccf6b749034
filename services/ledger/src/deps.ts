import type { Idempotency, ServiceCore } from '@bonding/kit';
import type { LedgerConfig } from './config.js';
import type { LedgerDatabase } from './db/schema.js';
import type { LedgerMetrics } from './metrics.js';

/** Everything the routes need, built once in main.ts (or by a test). */
export interface LedgerDeps extends Omit<ServiceCore<LedgerDatabase>, 'close' | 'databaseName'> {
  config: LedgerConfig;
  ledgerMetrics: LedgerMetrics;
  idempotency: Idempotency;
  /** 0–9, for the last four digits of a new card. */
  randomDigit: () => number;
}
