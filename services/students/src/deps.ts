import type { EventRuntime, Guards, Logger, ServiceMetrics, UserRevocationList } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { StudentsConfig } from './config.js';
import type { StudentsDatabase } from './db/schema.js';
import type { SensitiveFields } from './domain/sensitive-fields.js';

export interface StudentsDeps {
  config: StudentsConfig;
  db: Kysely<StudentsDatabase>;
  logger: Logger;
  metrics: ServiceMetrics;
  guards: Guards;
  revocations: UserRevocationList;
  events: EventRuntime<StudentsDatabase>;
  sensitive: SensitiveFields;
  now: () => Date;
}
