import type { ServiceCore } from '@bonding/kit';
import type { StudentsConfig } from './config.js';
import type { StudentsDatabase } from './db/schema.js';
import type { SensitiveFields } from './domain/sensitive-fields.js';

export interface StudentsDeps extends Omit<ServiceCore<StudentsDatabase>, 'close' | 'databaseName'> {
  config: StudentsConfig;
  sensitive: SensitiveFields;
}
