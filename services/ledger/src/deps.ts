import type {
  EventRuntime,
  Guards,
  Idempotency,
  Logger,
  ServiceMetrics,
  UserRevocationList,
} from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { LedgerConfig } from './config.js';
import type { LedgerDatabase } from './db/schema.js';
import type { LedgerMetrics } from './metrics.js';

/** Everything the routes need, built once in main.ts (or by a test). */
export interface LedgerDeps {
  config: LedgerConfig;
  db: Kysely<LedgerDatabase>;
  logger: Logger;
  metrics: ServiceMetrics;
  ledgerMetrics: LedgerMetrics;
  guards: Guards;
  revocations: UserRevocationList;
  /** The outbox relay (transfer.completed) and the user.disabled inbox; started by main.ts. */
  events: EventRuntime<LedgerDatabase>;
  idempotency: Idempotency;
  now: () => Date;
  /** 0–9, for the last four digits of a new card. */
  randomDigit: () => number;
}
