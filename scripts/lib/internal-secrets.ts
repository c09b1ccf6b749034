// The HMAC secrets for `/internal/...` calls and event deliveries in local runs: one per service,
// generated once into .local/internal-secrets.json (owner-only) and reused. In Kubernetes they come
// from a Secret instead (see docs/events.md).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { localDir, readJson, writeSecretJson } from './paths.js';

export const internalSecretsFile = join(localDir, 'internal-secrets.json');

/** The secret of each named service, creating (and saving) the missing ones. */
export function internalSecrets(
  names: readonly string[],
  file = internalSecretsFile,
): Record<string, string> {
  const saved = readJson<Record<string, string>>(file) ?? {};
  const missing = names.filter((name) => !saved[name]);
  if (missing.length === 0) return saved;
  const all = { ...saved };
  for (const name of missing) all[name] = randomBytes(32).toString('base64url');
  writeSecretJson(file, all);
  return all;
}
