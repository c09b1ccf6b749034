import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createGuards,
  createRouter,
  createTokenVerifier,
  type Role,
  UserRevocationList,
} from '../src/index.js';
import { createTestApp } from './test-app.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
const issuer = 'https://id.test';
const audience = 'bonding-platform';

function sign(
  claims: { sub?: string; role?: string; iat?: number; exp?: number; email_verified?: unknown } = {},
  typ = 'at+jwt',
) {
  const iat = claims.iat ?? Math.floor(Date.now() / 1000);
  const extra = 'email_verified' in claims ? { email_verified: claims.email_verified } : {};
  return new SignJWT({ role: claims.role ?? 'student', sid: 's1', ...extra })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.sub ?? 'user-1')
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp ?? iat + 900)
    .sign(privateKey);
}

function countingKeys() {
  const local = createLocalJWKSet({ keys: [jwk] });
  const counter = { calls: 0 };
  const keys: JWTVerifyGetKey = (header, token) => {
    counter.calls += 1;
    return local(header, token);
  };
  return { keys, counter };
}

describe('the token verifier', () => {
  it('verifies a token once and serves repeats from its cache', async () => {
    const { keys, counter } = countingKeys();
    const verifier = createTokenVerifier({ issuer, audience, keys });
    const token = await sign();
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ userId: 'user-1', role: 'student', sessionId: 's1' });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(counter.calls).toBe(1);
  });

  it('stops honouring a cached token once it expires', async () => {
    const { keys } = countingKeys();
    let now = Date.now();
    const verifier = createTokenVerifier({ issuer, audience, keys, now: () => now });
    const token = await sign();
    await verifier.verify(token);
    now += 1000 * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('refuses tokens of the wrong type, issuer or role', async () => {
    const verifier = createTokenVerifier({ issuer, audience, keys: countingKeys().keys });
    await expect(verifier.verify(await sign({}, 'JWT'))).rejects.toMatchObject({ reason: 'invalid' });
    await expect(verifier.verify(await sign({ role: 'root' }))).rejects.toMatchObject({ reason: 'invalid' });
    const other = createTokenVerifier({ issuer: 'https://elsewhere', audience, keys: countingKeys().keys });
    await expect(other.verify(await sign())).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('consults the denylist on every request, even for cached tokens', async () => {
    const denylist = new UserRevocationList();
    const verifier = createTokenVerifier({ issuer, audience, keys: countingKeys().keys, denylist });
    const iat = Math.floor(Date.now() / 1000) - 10;
    const old = await sign({ sub: 'user-9', iat });
    await verifier.verify(old);
    denylist.revokeTokensIssuedBefore('user-9', iat + 5);
    await expect(verifier.verify(old)).rejects.toMatchObject({ reason: 'revoked' });
    const fresh = await sign({ sub: 'user-9', iat: iat + 6 });
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ userId: 'user-9' });
  });
});

describe('the role guard', () => {
  function guardedApp(...roles: Role[]) {
    const guards = createGuards(createTokenVerifier({ issuer, audience, keys: countingKeys().keys }));
    const service = createTestApp();
    const router = createRouter();
    router.get('/guarded', guards.require(...roles), (c) => c.json({ userId: c.get('principal').userId }));
    service.app.route('/api/v1', router);
    return service.app;
  }

  it('answers 401 without a token or with a malformed header, 403 for the wrong role, 200 for the right one', async () => {
    const app = guardedApp('admin');
    const missing = await app.request('/api/v1/guarded');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const malformed = await app.request('/api/v1/guarded', { headers: { Authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    const student = await app.request('/api/v1/guarded', {
      headers: { Authorization: `Bearer ${await sign()}` },
    });
    expect(student.status).toBe(403);
    const admin = await app.request('/api/v1/guarded', {
      headers: { Authorization: `Bearer ${await sign({ role: 'admin', sub: 'boss' })}` },
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ userId: 'boss' });
  });
});

describe('the verified-e-mail guard', () => {
  function verifiedApp(requireVerifiedEmail?: boolean) {
    const verifier = createTokenVerifier({ issuer, audience, keys: countingKeys().keys });
    const guards = createGuards(verifier, { requireVerifiedEmail });
    const service = createTestApp();
    const router = createRouter();
    router.post('/money', guards.require(), guards.requireVerifiedEmail(), (c) =>
      c.json({ verified: c.get('principal').emailVerified }),
    );
    service.app.route('/api/v1', router);
    return service.app;
  }
  const call = async (app: ReturnType<typeof verifiedApp>, token: string) =>
    app.request('/api/v1/money', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

  it('reads email_verified from the token: only a literal true counts', async () => {
    const verifier = createTokenVerifier({ issuer, audience, keys: countingKeys().keys });
    expect((await verifier.verify(await sign({ email_verified: true }))).emailVerified).toBe(true);
    expect((await verifier.verify(await sign({ email_verified: 'true' }))).emailVerified).toBe(false);
    expect((await verifier.verify(await sign())).emailVerified).toBe(false);
  });

  it('refuses an unverified caller with 403 email_not_verified, and lets a verified one through', async () => {
    const app = verifiedApp();
    const unverified = await call(app, await sign({ email_verified: false }));
    expect(unverified.status).toBe(403);
    expect(((await unverified.json()) as { code: string }).code).toBe('email_not_verified');
    expect((await call(app, await sign())).status).toBe(403);
    expect((await call(app, await sign({ email_verified: true }))).status).toBe(200);
  });

  it('lets everyone through when the switch is off (REQUIRE_VERIFIED_EMAIL=false)', async () => {
    const app = verifiedApp(false);
    expect((await call(app, await sign({ email_verified: false }))).status).toBe(200);
  });
});
