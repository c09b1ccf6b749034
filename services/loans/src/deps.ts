import type { Idempotency, ServiceCore } from '@bonding/kit';
import type { LoansConfig } from './config.js';
import type { LoansDatabase } from './db/schema.js';
import type { LoansMetrics } from './metrics.js';

/** Everything the routes need, built once in main.ts (or by a test). */
export interface LoansDeps extends Omit<ServiceCore<LoansDatabase>, 'close' | 'databaseName'> {
  config: LoansConfig;
  idempotency: Idempotency;
  /** The loan funnel's business metrics. */
  loansMetrics: LoansMetrics;
  /**
   * The business clock: due dates, days past due and the arrears job read it.
   * Tests move it forward; token checks keep the real clock.
   */
  now: () => Date;
}
