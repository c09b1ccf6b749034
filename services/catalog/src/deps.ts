import type { EventRuntime, Guards, Logger, ServiceMetrics, UserRevocationList } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { CatalogConfig } from './config.js';
import type { CatalogDatabase } from './db/schema.js';

export interface CatalogDeps {
  config: CatalogConfig;
  db: Kysely<CatalogDatabase>;
  logger: Logger;
  metrics: ServiceMetrics;
  guards: Guards;
  revocations: UserRevocationList;
  events: EventRuntime<CatalogDatabase>;
  now: () => Date;
}
