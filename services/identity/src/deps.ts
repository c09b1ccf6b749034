import type { FieldCipher, ServiceCore } from '@bonding/kit';
import type { IdentityConfig } from './config.js';
import type { IdentityDatabase } from './db/schema.js';
import type { KeyRing } from './domain/signing-keys.js';
import type { IdentityMetrics } from './metrics.js';

/** Everything the routes need, built once in main.ts (or by a test). */
export interface IdentityDeps extends Omit<ServiceCore<IdentityDatabase>, 'close' | 'databaseName'> {
  config: IdentityConfig;
  keys: KeyRing;
  identityMetrics: IdentityMetrics;
  /** Checked when an e-mail is unknown, so it costs what a wrong password costs. */
  decoyPasswordHash: string;
  /** Seals TOTP secrets at rest; undefined when FIELD_ENCRYPTION_KEYS is not set (enrolment answers 503). */
  totpCipher: FieldCipher | undefined;
}
