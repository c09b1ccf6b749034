import type { EventRuntime, Guards, Logger, ServiceMetrics, UserRevocationList } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { IdentityConfig } from './config.js';
import type { IdentityDatabase } from './db/schema.js';
import type { KeyRing } from './domain/signing-keys.js';
import type { IdentityMetrics } from './metrics.js';

/** Everything the routes need, built once in main.ts (or by a test). */
export interface IdentityDeps {
  config: IdentityConfig;
  db: Kysely<IdentityDatabase>;
  keys: KeyRing;
  logger: Logger;
  metrics: ServiceMetrics;
  identityMetrics: IdentityMetrics;
  guards: Guards;
  revocations: UserRevocationList;
  /** The outbox relay and revocation sync; started by main.ts. */
  events: EventRuntime<IdentityDatabase>;
  /** Checked when an e-mail is unknown, so it costs what a wrong password costs. */
  decoyPasswordHash: string;
  now: () => Date;
}
