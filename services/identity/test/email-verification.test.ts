import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness, PASSWORD } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterAll(() => h.close());

/** The verification codes identity handed to notifications for a user, oldest first. */
async function verificationCodesOf(userId: string): Promise<string[]> {
  const rows = await h.deps.db
    .selectFrom('outbox')
    .select('payload')
    .where('aggregate_key', '=', userId)
    .where('type', '=', 'user.emailVerificationRequested')
    .orderBy('seq')
    .execute();
  return rows.map((row) => JSON.parse(row.payload).verificationCode as string);
}

const verify = (code: unknown) => h.call('POST', '/api/v1/auth/verify-email', { body: { code } });
const resend = (token?: string) => h.call('POST', '/api/v1/auth/verify-email/resend', token ? { token } : {});
const refresh = (refreshToken: string) => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });

describe('e-mail verification on registration', () => {
  it('sends a code after user.registered, stored only hashed; the account starts unverified', async () => {
    const student = await h.registerStudent();
    const types = (
      await h.deps.db
        .selectFrom('outbox')
        .select('type')
        .where('aggregate_key', '=', student.id)
        .orderBy('seq')
        .execute()
    ).map((row) => row.type);
    expect(types).toEqual(['user.registered', 'user.emailVerificationRequested']);
    const [code] = await verificationCodesOf(student.id);
    expect(code).toMatch(/^ev_[A-Za-z0-9_-]{43}$/);
    const stored = await h.deps.db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('user_id', '=', student.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(decodeJwt(student.accessToken).email_verified).toBe(false);
    expect((await h.call('GET', '/api/v1/auth/me', { token: student.accessToken })).json.emailVerified).toBe(
      false,
    );
  });

  it('the first admin (from configuration) is verified', async () => {
    const admin = await h.adminLogin();
    expect(decodeJwt(admin.accessToken).email_verified).toBe(true);
  });

  it('an admin created by an admin gets a code too', async () => {
    const admin = await h.adminLogin();
    const response = await h.call('POST', '/api/v1/users/admins', {
      token: admin.accessToken,
      body: {
        email: `second.admin.${Date.now()}@example.test`,
        password: PASSWORD,
        firstName: 'Second',
        lastName: 'Admin',
      },
    });
    expect(response.status).toBe(201);
    expect(response.json.emailVerified).toBe(false);
    expect(await verificationCodesOf(response.json.id)).toHaveLength(1);
  });
});

describe('POST /api/v1/auth/verify-email', () => {
  it('verifies with the code, without a token; the next token carries email_verified', async () => {
    const student = await h.registerStudent();
    const [code] = await verificationCodesOf(student.id);
    const response = await verify(code);
    expect(response.status).toBe(204);
    const refreshed = await refresh(student.refreshToken);
    expect(decodeJwt(refreshed.json.accessToken).email_verified).toBe(true);
    const me = await h.call('GET', '/api/v1/auth/me', { token: refreshed.json.accessToken });
    expect(me.json.emailVerified).toBe(true);
    const audit = await h.deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', student.id)
      .execute();
    expect(audit.map((row) => row.action)).toContain('user.email_verified');
  });

  it('works once', async () => {
    const student = await h.registerStudent();
    const [code] = await verificationCodesOf(student.id);
    expect((await verify(code)).status).toBe(204);
    const again = await verify(code);
    expect(again.status).toBe(400);
    expect(again.json.code).toBe('invalid_verification_code');
  });

  it('expires', async () => {
    const student = await h.registerStudent();
    const [code] = await verificationCodesOf(student.id);
    h.clock.offsetMs = (h.config.EMAIL_VERIFICATION_TTL_SECONDS + 1) * 1000;
    try {
      const late = await verify(code);
      expect(late.status).toBe(400);
      expect(late.json.code).toBe('invalid_verification_code');
    } finally {
      h.clock.offsetMs = 0;
    }
    const user = await h.deps.db
      .selectFrom('users')
      .select('email_verified_at')
      .where('id', '=', student.id)
      .executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeNull();
  });

  it('refuses a password-reset code, an unknown code and bad input', async () => {
    const student = await h.registerStudent();
    await h.call('POST', '/api/v1/auth/password-reset', { body: { email: student.email } });
    const reset = await h.deps.db
      .selectFrom('outbox')
      .select('payload')
      .where('aggregate_key', '=', student.id)
      .where('type', '=', 'user.passwordResetRequested')
      .executeTakeFirstOrThrow();
    expect((await verify(JSON.parse(reset.payload).resetCode)).status).toBe(400);
    expect((await verify('ev_made-up')).status).toBe(400);
    const missing = await h.call('POST', '/api/v1/auth/verify-email', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0].field).toBe('body.code');
    const [code] = await verificationCodesOf(student.id);
    const extra = await h.call('POST', '/api/v1/auth/verify-email', { body: { code, userId: student.id } });
    expect(extra.status).toBe(400);
  });
});

describe('POST /api/v1/auth/verify-email/resend', () => {
  it('sends a new code; only the newest works', async () => {
    const student = await h.registerStudent();
    const response = await resend(student.accessToken);
    expect(response.status).toBe(202);
    const [first, second] = await verificationCodesOf(student.id);
    expect(second).toBeDefined();
    expect((await verify(first)).status).toBe(400);
    expect((await verify(second)).status).toBe(204);
  });

  it('answers 409 once the e-mail is verified', async () => {
    const response = await resend((await h.adminLogin()).accessToken);
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('email_already_verified');
  });

  it('is limited per account, and the window moves on', async () => {
    const student = await h.registerStudent();
    for (let i = 0; i < h.config.EMAIL_VERIFICATION_RESEND_MAX; i += 1) {
      expect((await resend(student.accessToken)).status).toBe(202);
    }
    const limited = await resend(student.accessToken);
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('verification_throttled');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account is not affected.
    expect((await resend((await h.registerStudent()).accessToken)).status).toBe(202);
    h.clock.offsetMs = (h.config.EMAIL_VERIFICATION_RESEND_WINDOW_SECONDS + 1) * 1000;
    try {
      const later = await h.login(student.email, PASSWORD);
      expect((await resend(later.accessToken)).status).toBe(202);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('needs a token', async () => {
    expect((await resend()).status).toBe(401);
  });
});
