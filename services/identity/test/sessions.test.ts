import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterAll(() => h.close());

const refresh = (refreshToken: unknown) => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const me = (token?: string) => h.call('GET', '/api/v1/auth/me', token ? { token } : {});

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: returns a new pair, and the new access token works', async () => {
    const student = await h.registerStudent();
    const response = await refresh(student.refreshToken);
    expect(response.status).toBe(200);
    expect(response.json.refreshToken).not.toBe(student.refreshToken);
    expect(response.json.accessToken).not.toBe(student.accessToken);
    expect(decodeJwt(response.json.accessToken).sid).toBe(decodeJwt(student.accessToken).sid);
    expect((await me(response.json.accessToken)).status).toBe(200);
  });

  it('treats a spent refresh token as stolen: 401 and the whole session is revoked', async () => {
    const student = await h.registerStudent();
    const rotated = await refresh(student.refreshToken);
    expect(rotated.status).toBe(200);
    const reused = await refresh(student.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.json.code).toBe('refresh_token_reused');
    // The successor, though never used, died with its family.
    const successor = await refresh(rotated.json.refreshToken);
    expect(successor.status).toBe(401);
    expect(successor.json.code).toBe('invalid_refresh_token');
  });

  it('leaves the other sessions of the same user alone when one is revoked for reuse', async () => {
    const student = await h.registerStudent();
    const other = await h.login(student.email, 'a-good-long-password');
    await refresh(student.refreshToken);
    await refresh(student.refreshToken);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('refuses an access token presented as a refresh token', async () => {
    const student = await h.registerStudent();
    const response = await refresh(student.accessToken);
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('invalid_refresh_token');
  });

  it('refuses an unknown refresh token and bad input', async () => {
    expect((await refresh('rt_not-a-real-token')).status).toBe(401);
    const missing = await h.call('POST', '/api/v1/auth/refresh', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0].field).toBe('body.refreshToken');
    expect((await refresh(12345)).status).toBe(400);
  });

  it('refuses an expired session', async () => {
    const student = await h.registerStudent();
    h.clock.offsetMs += (h.config.REFRESH_TOKEN_TTL_SECONDS + 1) * 1000;
    try {
      expect((await refresh(student.refreshToken)).status).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('revokes the session: its refresh token stops working', async () => {
    const student = await h.registerStudent();
    const response = await h.call('POST', '/api/v1/auth/logout', { token: student.accessToken });
    expect(response.status).toBe(204);
    expect((await refresh(student.refreshToken)).status).toBe(401);
  });

  it('needs an access token', async () => {
    const response = await h.call('POST', '/api/v1/auth/logout');
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('authentication_required');
  });
});

describe('GET /api/v1/auth/me', () => {
  it.each(['student', 'agent', 'admin'] as const)('returns the signed-in %s', async (role) => {
    const user =
      role === 'student'
        ? await h.registerStudent()
        : role === 'agent'
          ? await h.registerAgent()
          : await h.adminLogin();
    const response = await me(user.accessToken);
    expect(response.status).toBe(200);
    expect(response.json.role).toBe(role);
    expect(response.json.id).toBe(decodeJwt(user.accessToken).sub);
  });

  it('answers 401 with WWW-Authenticate when no token is sent', async () => {
    const response = await me();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a refresh token used as a bearer token', async () => {
    const student = await h.registerStudent();
    const response = await me(student.refreshToken);
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('invalid_token');
  });

  it('refuses an expired access token', async () => {
    const student = await h.registerStudent();
    h.clock.offsetMs += (h.config.ACCESS_TOKEN_TTL_SECONDS + 10) * 1000;
    try {
      const response = await me(student.accessToken);
      expect(response.status).toBe(401);
      expect(response.json.code).toBe('token_expired');
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const student = await h.registerStudent();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = decodeJwt(student.accessToken);
    const forged = await new SignJWT({ ...claims, role: 'admin' })
      .setProtectedHeader(decodeProtectedHeader(student.accessToken) as { alg: string })
      .sign(privateKey);
    const response = await me(forged);
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('invalid_token');
  });

  it('refuses an unsigned (alg none) token and a wrong audience', async () => {
    const student = await h.registerStudent();
    const [header, payload] = student.accessToken.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    expect((await me(none)).status).toBe(401);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherAudience = await new SignJWT({ role: 'student' })
      .setProtectedHeader(JSON.parse(Buffer.from(header as string, 'base64url').toString()))
      .setAudience('someone-else')
      .setIssuer(h.config.JWT_ISSUER)
      .setSubject(student.id)
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await me(otherAudience)).status).toBe(401);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public key that verifies access tokens, and nothing private', async () => {
    const student = await h.registerStudent();
    const response = await h.call('GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const key = response.json.keys.find(
      (k: { kid: string }) => k.kid === decodeProtectedHeader(student.accessToken).kid,
    );
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    expect(key).not.toHaveProperty('p');
  });
});
