import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';

export interface TestIssuer {
  issuer: string;
  audience: string;
  /** Verification keys for a service under test, as its JWKS would provide them. */
  keys: JWTVerifyGetKey;
  /** An access token shaped exactly like identity's (RS256, kid, typ at+jwt). */
  /** `emailVerified` defaults to true, so suites not about verification act as verified users. */
  token(claims: {
    sub?: string;
    role: 'admin' | 'agent' | 'student';
    ttlSeconds?: number;
    emailVerified?: boolean;
  }): Promise<string>;
}

/** Stands in for identity when a service is tested on its own: signs tokens its verifier accepts. */
export async function createTestIssuer(
  options: { issuer?: string; audience?: string } = {},
): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'http://localhost:3001';
  const audience = options.audience ?? 'bonding-platform';
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    issuer,
    audience,
    keys: createLocalJWKSet({ keys: [jwk] }),
    token({ sub = randomUUID(), role, ttlSeconds = 900, emailVerified = true }) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ role, sid: randomUUID(), email_verified: emailVerified })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
  };
}
