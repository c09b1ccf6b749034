import { createFieldCipher, createServiceCore, type ServiceCoreOptions } from '@bonding/kit';
import type { StudentsConfig } from './config.js';
import type { StudentsDatabase } from './db/schema.js';
import type { StudentsDeps } from './deps.js';
import { createSensitiveFields } from './domain/sensitive-fields.js';

/** Wires the service from its configuration; tests pass their own token keys and clock. */
export function buildStudentsDeps(config: StudentsConfig, options: ServiceCoreOptions = {}) {
  const core = createServiceCore<StudentsDatabase>('students', config, options);
  const cipher = createFieldCipher(config.FIELD_ENCRYPTION_KEYS, config.FIELD_ENCRYPTION_ACTIVE_KID);
  const deps: StudentsDeps = {
    ...core,
    config,
    sensitive: createSensitiveFields(cipher, config.BLIND_INDEX_KEY),
  };
  return { deps, core, close: core.close };
}
