import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface KeyRing {
  active: SigningKey;
  /** Every key still published, so tokens signed before a rotation keep verifying. */
  all: SigningKey[];
}

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Reads `<kid>.pem` RSA private keys (PKCS#8 or PKCS#1) from a folder. Rotation:
 * add a key with a new kid, make it active, and remove the old one once every
 * token it signed has expired.
 */
export function loadKeyRing(dir: string, activeKid?: string): KeyRing {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.pem'))
    .sort();
  const all = files.map((file): SigningKey => {
    const kid = file.slice(0, -'.pem'.length);
    if (!KID_PATTERN.test(kid))
      throw new Error(`signing key ${file}: the file name (kid) must match ${KID_PATTERN}`);
    const privateKey = createPrivateKey(readFileSync(join(dir, file)));
    if (privateKey.asymmetricKeyType !== 'rsa')
      throw new Error(`signing key ${file}: must be an RSA private key`);
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' } };
  });
  if (all.length === 0) throw new Error(`no signing keys (*.pem) found in ${dir}`);
  const active = activeKid ? all.find((key) => key.kid === activeKid) : all.at(-1);
  if (!active) throw new Error(`JWT_ACTIVE_KID ${activeKid} has no key file in ${dir}`);
  return { active, all };
}

export function publicJwks(ring: KeyRing): { keys: JWK[] } {
  return { keys: ring.all.map((key) => key.publicJwk) };
}
