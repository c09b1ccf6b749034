import { createTokenVerifier } from '@bonding/kit';
import { createLocalJWKSet } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { publicJwks } from '../src/domain/signing-keys.js';
import { base32Decode, TOTP_STEP_SECONDS, totp } from '../src/domain/totp.js';
import { ensureFirstAdmin } from '../src/first-admin.js';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness({ MFA_REQUIRED_FOR_ADMINS: 'true' });
});
afterEach(() => {
  h.clock.offsetMs = 0;
});
afterAll(() => h.close());

const loginAs = (email: string, password = PASSWORD) =>
  h.call('POST', '/api/v1/auth/login', { body: { email, password } });

/** A new admin without an authenticator, made the way the configured first admin is. */
async function freshAdmin() {
  const { email } = uniqueUser('admin');
  await ensureFirstAdmin(h.deps.db, email, PASSWORD, h.deps.now());
  const { id } = await h.deps.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { id, email };
}

async function enrolmentTokenOf(email: string): Promise<string> {
  const response = await loginAs(email);
  expect(response.status).toBe(202);
  return response.json.enrolmentToken as string;
}

/** Enrols with the enrolment token, then signs in with both factors. */
async function enrolAndSignIn(email: string) {
  const enrolmentToken = await enrolmentTokenOf(email);
  const started = await h.call('POST', '/api/v1/auth/mfa/totp', { token: enrolmentToken });
  expect(started.status).toBe(200);
  const secret = base32Decode(started.json.secret);
  const confirmed = await h.call('POST', '/api/v1/auth/mfa/totp/confirm', {
    token: enrolmentToken,
    body: { code: totp(secret, h.deps.now()) },
  });
  expect(confirmed.status).toBe(200);
  expect(confirmed.json.recoveryCodes).toHaveLength(10);
  const challenge = await loginAs(email);
  expect(challenge.status).toBe(202);
  expect(challenge.json.next).toBe('mfa_code');
  h.clock.offsetMs += TOTP_STEP_SECONDS * 1000;
  const signedIn = await h.call('POST', '/api/v1/auth/login/mfa', {
    body: { challenge: challenge.json.challenge, code: totp(secret, h.deps.now()) },
  });
  expect(signedIn.status).toBe(200);
  return { ...(signedIn.json as { accessToken: string; refreshToken: string }), secret };
}

describe('MFA_REQUIRED_FOR_ADMINS=true', () => {
  it('gives an admin without an authenticator an enrolment token instead of tokens', async () => {
    const admin = await freshAdmin();
    const response = await loginAs(admin.email);
    expect(response.status).toBe(202);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toEqual({
      next: 'mfa_enrolment',
      enrolmentToken: expect.any(String),
      expiresIn: h.config.MFA_ENROLMENT_TOKEN_TTL_SECONDS,
    });
    expect(await h.auditActionsOf(admin.id)).toContain('user.mfa_enrolment_demanded');
  });

  it('opens nothing but the enrolment routes with that token, here or in any other service', async () => {
    const token = await enrolmentTokenOf((await freshAdmin()).email);
    for (const [method, path] of [
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/auth/mfa'],
      ['GET', '/api/v1/auth/sessions'],
      ['POST', '/api/v1/auth/logout'],
    ] as const) {
      expect((await h.call(method, path, { token })).status, `${method} ${path}`).toBe(401);
    }
    // The verifier every service runs (the kit's) insists on typ at+jwt.
    const verifier = createTokenVerifier({
      issuer: h.config.JWT_ISSUER,
      audience: h.config.JWT_AUDIENCE,
      keys: createLocalJWKSet(publicJwks(h.deps.keys)),
    });
    await expect(verifier.verify(token)).rejects.toThrow('token invalid');
    expect((await h.call('POST', '/api/v1/auth/mfa/totp', { token })).status).toBe(200);
  });

  it('lets the admin enrol with it, then sign in with both factors and act as admin; keeping it on is a must', async () => {
    const admin = await enrolAndSignIn((await freshAdmin()).email);
    expect((await h.call('GET', '/api/v1/users', { token: admin.accessToken })).status).toBe(200);
    const status = await h.call('GET', '/api/v1/auth/mfa', { token: admin.accessToken });
    expect(status.json).toMatchObject({ totp: 'on', requiredForRole: true });
    const off = await h.call('POST', '/api/v1/auth/mfa/totp/disable', {
      token: admin.accessToken,
      body: { password: PASSWORD, code: totp(admin.secret, new Date(h.deps.now().getTime() + 30_000)) },
    });
    expect(off.status).toBe(403);
    expect(off.json.code).toBe('mfa_required_for_role');
  });

  it('expires the enrolment token', async () => {
    const token = await enrolmentTokenOf((await freshAdmin()).email);
    h.clock.offsetMs = (h.config.MFA_ENROLMENT_TOKEN_TTL_SECONDS + 1) * 1000;
    const late = await h.call('POST', '/api/v1/auth/mfa/totp', { token });
    expect(late.status).toBe(401);
    expect(late.json.code).toBe('invalid_token');
  });

  it("refuses to refresh an admin's session opened before the requirement was switched on", async () => {
    const admin = await freshAdmin();
    // The configuration object the routes read: off for this sign-in, then on again.
    h.config.MFA_REQUIRED_FOR_ADMINS = false;
    let session: { refreshToken: string };
    try {
      session = await h.login(admin.email, PASSWORD);
    } finally {
      h.config.MFA_REQUIRED_FOR_ADMINS = true;
    }
    const refused = await h.call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('mfa_enrolment_required');
  });

  it('leaves students to choose', async () => {
    const student = await h.registerStudent();
    expect((await loginAs(student.email)).status).toBe(200);
  });
});
