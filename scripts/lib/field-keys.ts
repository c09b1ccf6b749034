// Keys for the fields the students service encrypts (national IDs, bank account numbers) and for its
// blind indexes, in local runs: generated once into .local/field-keys.json (owner-only) and reused, since
// data sealed with them must stay readable. In Kubernetes they come from a Secret (see docs/kubernetes.md).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { localDir, readJson, writeSecretJson } from './paths.js';

export const fieldKeysFile = join(localDir, 'field-keys.json');

export interface FieldKeys {
  FIELD_ENCRYPTION_KEYS: string;
  BLIND_INDEX_KEY: string;
}

export function localFieldKeys(file = fieldKeysFile): FieldKeys {
  const saved = readJson<FieldKeys>(file);
  if (saved?.FIELD_ENCRYPTION_KEYS && saved.BLIND_INDEX_KEY) return saved;
  const created: FieldKeys = {
    FIELD_ENCRYPTION_KEYS: `local-1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  };
  writeSecretJson(file, created);
  return created;
}

/**
 * Identity's own key for the TOTP secrets of two-factor sign-in, in local runs: generated once into
 * .local/identity-field-keys.json and reused (a lost key loses every enrolled authenticator). Never the
 * students' keys: each service seals with its own.
 */
export function localIdentityFieldKeys(file = join(localDir, 'identity-field-keys.json')) {
  const saved = readJson<{ FIELD_ENCRYPTION_KEYS: string }>(file);
  if (saved?.FIELD_ENCRYPTION_KEYS) return saved;
  const created = { FIELD_ENCRYPTION_KEYS: `local-1:${randomBytes(32).toString('base64')}` };
  writeSecretJson(file, created);
  return created;
}
