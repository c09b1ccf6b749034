// The JWT signing key(s) for local runs. Identity reads JWT_KEYS_DIR: every `<kid>.pem` in it is a
// PKCS#8 private key, and the lexicographically last kid signs. To rotate locally, add a newer
// `dev-<yyyymmdd>.pem` (same format) next to the old one; delete the old one to retire it.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, paths } from './paths.js';
import { info } from './processes.js';

/** Creates an RSA-2048 key in .local/keys/ unless one exists; returns the directory. */
export function ensureSigningKeys(dir = paths.keys): string {
  ensureDir(dir);
  const existing = readdirSync(dir).filter((f) => f.endsWith('.pem'));
  if (existing.length > 0) return dir;
  const kid = `dev-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(join(dir, `${kid}.pem`), privateKey, { mode: 0o600, flag: 'wx' });
  info('keys', `generated RS256 signing key ${kid} in ${dir}`);
  return dir;
}
