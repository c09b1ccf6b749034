import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

export interface SigningKey {
  /** The kid in tokens and the JWKS: the key file's name after the configured prefix. */
  kid: string;
  /** The key file's name without `.pem` (what JWT_ACTIVE_KID names). */
  fileKid: string;
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
 * token it signed has expired. `kidPrefix` is prepended to every published kid
 * (JWT_KID_PREFIX), so releases sharing one Kong never publish the same kid.
 */
export function loadKeyRing(dir: string, activeKid?: string, kidPrefix = ''): KeyRing {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.pem'))
    .sort();
  const all = files.map((file): SigningKey => {
    const fileKid = file.slice(0, -'.pem'.length);
    if (!KID_PATTERN.test(fileKid))
      throw new Error(`signing key ${file}: the file name (kid) must match ${KID_PATTERN}`);
    const kid = `${kidPrefix}${fileKid}`;
    const privateKey = createPrivateKey(readFileSync(join(dir, file)));
    if (privateKey.asymmetricKeyType !== 'rsa')
      throw new Error(`signing key ${file}: must be an RSA private key`);
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    return { kid, fileKid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' } };
  });
  if (all.length === 0) throw new Error(`no signing keys (*.pem) found in ${dir}`);
  const active = activeKid ? all.find((key) => key.fileKid === activeKid) : all.at(-1);
  if (!active) throw new Error(`JWT_ACTIVE_KID ${activeKid} has no key file in ${dir}`);
  return { active, all };
}

export function publicJwks(ring: KeyRing): { keys: JWK[] } {
  return { keys: ring.all.map((key) => key.publicJwk) };
}
