import { createFieldCipher, createServiceCore, type Logger, type ServiceCore } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import type { IdentityConfig } from './config.js';
import type { IdentityDatabase } from './db/schema.js';
import type { IdentityDeps } from './deps.js';
import { createDecoyHash } from './domain/passwords.js';
import { loadKeyRing, publicJwks } from './domain/signing-keys.js';
import { createIdentityMetrics } from './metrics.js';

export interface BuiltIdentity {
  deps: IdentityDeps;
  core: ServiceCore<IdentityDatabase>;
  close(): Promise<void>;
}

/** Wires the service from its configuration; shared by main.ts and the tests. */
export async function buildIdentityDeps(
  config: IdentityConfig,
  options: { logger?: Logger; now?: () => Date } = {},
): Promise<BuiltIdentity> {
  const keys = loadKeyRing(config.JWT_KEYS_DIR, config.JWT_ACTIVE_KID, config.JWT_KID_PREFIX);
  // Identity holds the keys itself; other services fetch them from its JWKS.
  const core = createServiceCore<IdentityDatabase>('identity', config, {
    ...options,
    keys: createLocalJWKSet(publicJwks(keys)),
  });
  const deps: IdentityDeps = {
    ...core,
    config,
    keys,
    identityMetrics: createIdentityMetrics(core.metrics),
    decoyPasswordHash: await createDecoyHash(),
    totpCipher: config.FIELD_ENCRYPTION_KEYS
      ? createFieldCipher(
          config.FIELD_ENCRYPTION_KEYS,
          config.FIELD_ENCRYPTION_ACTIVE_KID ?? [...config.FIELD_ENCRYPTION_KEYS.keys()].at(-1) ?? '',
        )
      : undefined,
  };
  return { deps, core, close: core.close };
}
