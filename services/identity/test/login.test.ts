import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterAll(() => h.close());

const login = (body: unknown) => h.call('POST', '/api/v1/auth/login', { body });

/** The parts of a problem that must not differ between an unknown e-mail and a wrong password. */
function comparable(json: Record<string, unknown>) {
  const { requestId: _requestId, ...rest } = json;
  return rest;
}

describe('POST /api/v1/auth/login', () => {
  it('returns a bearer access token and an opaque refresh token', async () => {
    const student = await h.registerStudent();
    const response = await login({ email: student.email, password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(response.json.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
  });

  it('issues RS256 access tokens with kid, typ and the claims of DESIGN §3, valid for 15 minutes', async () => {
    const student = await h.registerStudent();
    const header = decodeProtectedHeader(student.accessToken);
    expect(header).toEqual({ alg: 'RS256', kid: h.keys.kid, typ: 'at+jwt' });
    const claims = decodeJwt(student.accessToken);
    expect(claims).toMatchObject({
      iss: h.config.JWT_ISSUER,
      aud: h.config.JWT_AUDIENCE,
      sub: student.id,
      role: 'student',
    });
    expect(claims.jti).toEqual(expect.any(String));
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('accepts the e-mail in any case and with surrounding spaces', async () => {
    const student = await h.registerStudent();
    const response = await login({ email: `  ${student.email.toUpperCase()}  `, password: PASSWORD });
    expect(response.status).toBe(200);
  });

  it('answers an unknown e-mail exactly as a wrong password', async () => {
    const student = await h.registerStudent();
    const wrongPassword = await login({ email: student.email, password: 'not-the-password' });
    const unknownEmail = await login({ email: uniqueUser('ghost').email, password: 'not-the-password' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(comparable(unknownEmail.json)).toEqual(comparable(wrongPassword.json));
    expect(wrongPassword.json.code).toBe('invalid_credentials');
  });

  it('spends comparable time on an unknown e-mail and a wrong password (argon2 runs for both)', async () => {
    const student = await h.registerStudent();
    const time = async (email: string) => {
      const started = performance.now();
      await login({ email, password: 'not-the-password' });
      return performance.now() - started;
    };
    // Warm up, then take the faster of three, which is robust to scheduling noise.
    await time(student.email);
    const known = Math.min(await time(student.email), await time(student.email), await time(student.email));
    const unknown = Math.min(
      await time(uniqueUser('ghost').email),
      await time(uniqueUser('ghost').email),
      await time(uniqueUser('ghost').email),
    );
    // Without the decoy hash the unknown path would skip argon2 (~15 ms) and be several times faster.
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  it('refuses a pending agent with 403 account_pending_approval', async () => {
    const agent = await h.registerAgent({ approve: false });
    const response = await login({ email: agent.email, password: PASSWORD });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('account_pending_approval');
  });

  it('refuses a rejected agent with 403 account_rejected', async () => {
    const agent = await h.registerAgent({ approve: false });
    const admin = await h.adminLogin();
    await h.call('POST', `/api/v1/users/${agent.id}/reject`, {
      token: admin.accessToken,
      body: { reason: 'unknown office' },
    });
    const response = await login({ email: agent.email, password: PASSWORD });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('account_rejected');
  });

  it('refuses a disabled user with 403 account_disabled', async () => {
    const student = await h.registerStudent();
    const admin = await h.adminLogin();
    await h.call('POST', `/api/v1/users/${student.id}/disable`, { token: admin.accessToken });
    const response = await login({ email: student.email, password: PASSWORD });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('account_disabled');
  });

  it.each([
    ['a missing password', { email: ADMIN.email }, ['body.password']],
    ['a malformed e-mail', { email: 'admin', password: 'x' }, ['body.email']],
    ['a wrong-typed e-mail', { email: 42, password: 'x' }, ['body.email']],
    ['an unknown field', { email: ADMIN.email, password: 'x', remember: true }, ['body.remember']],
  ])('answers 400 naming the field for %s', async (_name, body, fields) => {
    const response = await login(body);
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual(fields);
  });
});

describe('login lockout', () => {
  it('locks an e-mail for a while after 5 failures in 15 minutes, even for the right password', async () => {
    const student = await h.registerStudent();
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await login({ email: student.email, password: 'wrong-password' })).status).toBe(401);
    }
    const locked = await login({ email: student.email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.json.code).toBe('login_locked');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(h.config.LOGIN_LOCKOUT_SECONDS);

    h.clock.offsetMs += (retryAfter + 1) * 1000;
    try {
      expect((await login({ email: student.email, password: PASSWORD })).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('does not lock after 4 failures, and a success forgets them', async () => {
    const student = await h.registerStudent();
    for (let attempt = 1; attempt <= 4; attempt++)
      await login({ email: student.email, password: 'wrong-password' });
    expect((await login({ email: student.email, password: PASSWORD })).status).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt++)
      await login({ email: student.email, password: 'wrong-password' });
    expect((await login({ email: student.email, password: PASSWORD })).status).toBe(200);
  });

  it('locks unknown e-mails the same way, so the lockout reveals nothing', async () => {
    const email = uniqueUser('ghost').email;
    for (let attempt = 1; attempt <= 5; attempt++) await login({ email, password: 'wrong-password' });
    const response = await login({ email, password: 'wrong-password' });
    expect(response.status).toBe(429);
  });

  it('forgets failures older than the window', async () => {
    const student = await h.registerStudent();
    for (let attempt = 1; attempt <= 4; attempt++)
      await login({ email: student.email, password: 'wrong-password' });
    h.clock.offsetMs += (h.config.LOGIN_FAILURE_WINDOW_SECONDS + 1) * 1000;
    try {
      await login({ email: student.email, password: 'wrong-password' });
      expect((await login({ email: student.email, password: PASSWORD })).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }
  });
});
