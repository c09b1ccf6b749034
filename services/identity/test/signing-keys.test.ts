// JWT_KID_PREFIX: the chart sets it to `<namespace>/<release>/` and creates Kong's jwt credential with the
// same key, because Kong's jwt plugin (key_claim_name: kid) finds the credential by the token's kid. Tokens
// must carry the prefixed kid, the JWKS must publish it, and services must still verify them.

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenVerifier } from '@bonding/kit';
import { createSigningKeyDir } from '@bonding/testing';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { identityConfigSchema } from '../src/config.js';
import { loadKeyRing, publicJwks } from '../src/domain/signing-keys.js';
import { signAccessToken } from '../src/domain/tokens.js';

const settings = { issuer: 'bonding-identity', audience: 'bonding-platform', ttlSeconds: 900 };
const claims = { userId: 'u-1', role: 'student' as const, sessionId: 's-1', emailVerified: true };

describe('signing keys with JWT_KID_PREFIX', () => {
  it('signs and publishes the prefixed kid, while JWT_ACTIVE_KID names the key file', async () => {
    const keys = createSigningKeyDir('2026-11');
    copyFileSync(join(keys.dir, '2026-11.pem'), join(keys.dir, '2026-12.pem'));
    const ring = loadKeyRing(keys.dir, '2026-11', 'shop/bonding/');
    expect(ring.active.kid).toBe('shop/bonding/2026-11');
    expect(publicJwks(ring).keys.map((key) => key.kid)).toEqual([
      'shop/bonding/2026-11',
      'shop/bonding/2026-12',
    ]);

    const token = await signAccessToken(claims, ring.active, settings, new Date());
    expect(decodeProtectedHeader(token).kid).toBe('shop/bonding/2026-11');
    const verifier = createTokenVerifier({ ...settings, keys: createLocalJWKSet(publicJwks(ring)) });
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: 'u-1' });
  });

  it('keeps the bare kid without a prefix (local runs, kong/kong.yml)', () => {
    const keys = createSigningKeyDir('2026-11');
    expect(loadKeyRing(keys.dir).active.kid).toBe('2026-11');
  });

  it('refuses a prefix with characters a kid cannot carry', () => {
    const base = { JWT_KEYS_DIR: '/keys', MYSQL_URL: 'mysql://u:p@localhost:3306/identity' };
    expect(identityConfigSchema.safeParse({ ...base, JWT_KID_PREFIX: 'shop/bonding/' }).success).toBe(true);
    expect(identityConfigSchema.safeParse({ ...base, JWT_KID_PREFIX: 'shop bonding' }).success).toBe(false);
  });
});
