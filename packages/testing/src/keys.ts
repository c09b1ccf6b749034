import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary JWT_KEYS_DIR holding one fresh RSA key named by its kid. */
export function createSigningKeyDir(kid = `test-${randomBytes(3).toString('hex')}`): {
  dir: string;
  kid: string;
  pem: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'bonding-keys-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(join(dir, `${kid}.pem`), pem, { mode: 0o600 });
  return { dir, kid, pem };
}
