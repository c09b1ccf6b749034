import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterAll(() => h.close());

const NEW_PASSWORD = 'another-long-password';

const refresh = (refreshToken: string) => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const sessions = (token?: string) => h.call('GET', '/api/v1/auth/sessions', token ? { token } : {});
const loginAs = (email: string, password: string) =>
  h.call('POST', '/api/v1/auth/login', { body: { email, password } });

/** A student signed in twice: `first` (the registration's sign-in) and `second`, from another device. */
async function studentOnTwoDevices() {
  const student = await h.registerStudent();
  const response = await h.call('POST', '/api/v1/auth/login', {
    body: { email: student.email, password: PASSWORD },
    headers: { 'User-Agent': 'BondingApp/2.1 (Android 14)' },
  });
  expect(response.status).toBe(200);
  const second = response.json as { accessToken: string; refreshToken: string };
  return { student, first: student, second };
}

/** The reset codes identity handed to notifications for a user, newest last. */
async function resetCodesOf(userId: string): Promise<string[]> {
  const events = await h.eventsOf(userId, 'user.passwordResetRequested');
  return events.map((event) => event.data.resetCode as string);
}

const eventTypesOf = async (userId: string) => (await h.eventsOf(userId)).map((event) => event.type);
const auditActionsOf = (userId: string) => h.auditActionsOf(userId);

describe('GET /api/v1/auth/sessions', () => {
  it("lists the caller's sessions with device and last use, marking the current one", async () => {
    const { student, second } = await studentOnTwoDevices();
    const response = await sessions(second.accessToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const items = response.json.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(2);
    const current = items.find((item) => item.current);
    expect(current?.id).toBe(decodeJwt(second.accessToken).sid);
    expect(current?.device).toBe('BondingApp/2.1 (Android 14)');
    expect(items.filter((item) => !item.current).map((item) => item.id)).toEqual([
      decodeJwt(student.accessToken).sid,
    ]);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        ['createdAt', 'current', 'device', 'expiresAt', 'id', 'lastUsedAt'].sort(),
      );
    }
  });

  it('moves last use forward on refresh, and leaves ended sessions out', async () => {
    const { student, second } = await studentOnTwoDevices();
    h.clock.offsetMs = 60_000;
    try {
      expect((await refresh(student.refreshToken)).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }
    const items = (await sessions(second.accessToken)).json.items as Array<Record<string, string>>;
    expect(items[0]?.id).toBe(decodeJwt(student.accessToken).sid);
    expect(Date.parse(items[0]?.lastUsedAt ?? '')).toBeGreaterThan(Date.parse(items[1]?.lastUsedAt ?? ''));
    await h.call('POST', '/api/v1/auth/logout', { token: student.accessToken });
    expect((await sessions(second.accessToken)).json.items).toHaveLength(1);
  });

  it('shows nobody else’s sessions, and needs a token', async () => {
    const { second } = await studentOnTwoDevices();
    const other = await h.registerStudent();
    const ids = ((await sessions(other.accessToken)).json.items as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toEqual([decodeJwt(other.accessToken).sid]);
    expect(ids).not.toContain(decodeJwt(second.accessToken).sid);
    expect((await sessions()).status).toBe(401);
  });
});

describe('DELETE /api/v1/auth/sessions/{id}', () => {
  it('ends one of your sessions: its refresh token stops working, the others go on', async () => {
    const { student, second } = await studentOnTwoDevices();
    const sid = decodeJwt(student.accessToken).sid as string;
    const response = await h.call('DELETE', `/api/v1/auth/sessions/${sid}`, { token: second.accessToken });
    expect(response.status).toBe(204);
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(200);
    expect(await auditActionsOf(student.id)).toContain('session.revoked');
  });

  it("answers 404 for another user's session, which stays alive, and for an ended or unknown one", async () => {
    const { student } = await studentOnTwoDevices();
    const other = await h.registerStudent();
    const sid = decodeJwt(student.accessToken).sid as string;
    const foreign = await h.call('DELETE', `/api/v1/auth/sessions/${sid}`, { token: other.accessToken });
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe('session_not_found');
    expect((await refresh(student.refreshToken)).status).toBe(200);
    const unknown = await h.call('DELETE', `/api/v1/auth/sessions/${randomUUID()}`, {
      token: student.accessToken,
    });
    expect(unknown.status).toBe(404);
    const otherSid = decodeJwt(other.accessToken).sid as string;
    const otherDevice = await h.login(other.email, PASSWORD);
    await h.call('POST', '/api/v1/auth/logout', { token: other.accessToken });
    // The ended session's own token is refused outright; from another session, it is not found.
    const own = await h.call('DELETE', `/api/v1/auth/sessions/${otherSid}`, { token: other.accessToken });
    expect(own.status).toBe(401);
    expect(own.json.code).toBe('session_ended');
    const ended = await h.call('DELETE', `/api/v1/auth/sessions/${otherSid}`, {
      token: otherDevice.accessToken,
    });
    expect(ended.status).toBe(404);
  });

  it('refuses a malformed id and a caller without a token', async () => {
    const student = await h.registerStudent();
    const bad = await h.call('DELETE', '/api/v1/auth/sessions/not-a-uuid', { token: student.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('path.id');
    expect((await h.call('DELETE', `/api/v1/auth/sessions/${randomUUID()}`)).status).toBe(401);
  });
});

describe('DELETE /api/v1/auth/sessions', () => {
  it('ends every other session of the caller and keeps the current one', async () => {
    const { student, second } = await studentOnTwoDevices();
    const third = await h.login(student.email, PASSWORD);
    const bystander = await h.registerStudent();
    const response = await h.call('DELETE', '/api/v1/auth/sessions', { token: second.accessToken });
    expect(response.status).toBe(204);
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(third.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(200);
    expect((await refresh(bystander.refreshToken)).status).toBe(200);
  });

  it('needs a token', async () => {
    expect((await h.call('DELETE', '/api/v1/auth/sessions')).status).toBe(401);
  });
});

describe('POST /api/v1/auth/password', () => {
  const change = (token: string | undefined, body: unknown) =>
    h.call('POST', '/api/v1/auth/password', { body, ...(token ? { token } : {}) });

  it('changes the password, ends the other sessions, keeps this one, and tells notifications', async () => {
    const { student, second } = await studentOnTwoDevices();
    const response = await change(second.accessToken, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(response.status).toBe(204);
    expect((await loginAs(student.email, PASSWORD)).status).toBe(401);
    expect((await loginAs(student.email, NEW_PASSWORD)).status).toBe(200);
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(200);
    expect(await eventTypesOf(student.id)).toContain('user.passwordChanged');
    expect(await auditActionsOf(student.id)).toContain('user.password_changed');
  });

  it('refuses a wrong current password (403) and leaves everything as it was', async () => {
    const { student } = await studentOnTwoDevices();
    const response = await change(student.accessToken, {
      currentPassword: 'not-the-password',
      newPassword: NEW_PASSWORD,
    });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('current_password_wrong');
    expect((await loginAs(student.email, PASSWORD)).status).toBe(200);
    expect((await refresh(student.refreshToken)).status).toBe(200);
  });

  it('locks like sign-in after too many wrong current passwords', async () => {
    const student = await h.registerStudent();
    for (let i = 0; i < h.config.LOGIN_MAX_FAILURES; i += 1) {
      await change(student.accessToken, { currentPassword: `wrong-${i}`, newPassword: NEW_PASSWORD });
    }
    const locked = await change(student.accessToken, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a weak new password, unknown fields and a caller without a token', async () => {
    const student = await h.registerStudent();
    const weak = await change(student.accessToken, { currentPassword: PASSWORD, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.json.errors[0].field).toBe('body.newPassword');
    const extra = await change(student.accessToken, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      role: 'admin',
    });
    expect(extra.status).toBe(400);
    expect((await change(undefined, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(
      401,
    );
  });
});

describe('POST /api/v1/auth/password-reset', () => {
  const ask = (email: unknown) => h.call('POST', '/api/v1/auth/password-reset', { body: { email } });

  it('answers 202 with the same empty body for a known and an unknown e-mail; only the known one gets a code', async () => {
    const student = await h.registerStudent();
    const known = await ask(student.email);
    const unknown = await ask(uniqueUser('nobody').email);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    expect([...known.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
    const codes = await resetCodesOf(student.id);
    expect(codes).toHaveLength(1);
    expect(codes[0]).toMatch(/^pr_[A-Za-z0-9_-]{43}$/);
    // Stored hashed: the code itself is nowhere in identity's table.
    const stored = await h.deps.db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('user_id', '=', student.id)
      .where('purpose', '=', 'password_reset')
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(codes[0]);
    expect(await auditActionsOf(student.id)).toContain('user.password_reset_requested');
  });

  it('limits requests per e-mail, known or not, the same way', async () => {
    const student = await h.registerStudent();
    const stranger = uniqueUser('nobody').email;
    for (let i = 0; i < h.config.PASSWORD_RESET_MAX_REQUESTS; i += 1) {
      expect((await ask(student.email)).status).toBe(202);
      expect((await ask(stranger)).status).toBe(202);
    }
    const knownLimited = await ask(student.email);
    const unknownLimited = await ask(stranger);
    expect(knownLimited.status).toBe(429);
    expect(unknownLimited.status).toBe(429);
    expect(knownLimited.json.code).toBe('password_reset_throttled');
    expect(unknownLimited.json.code).toBe('password_reset_throttled');
    expect(Number(knownLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await resetCodesOf(student.id)).toHaveLength(h.config.PASSWORD_RESET_MAX_REQUESTS);
    // Another e-mail is not affected, and the window moves on.
    expect((await ask(uniqueUser('nobody').email)).status).toBe(202);
    h.clock.offsetMs = (h.config.PASSWORD_RESET_WINDOW_SECONDS + 1) * 1000;
    try {
      expect((await ask(student.email)).status).toBe(202);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('sends no code to a disabled account, with the same answer', async () => {
    const student = await h.registerStudent();
    const admin = await h.adminLogin();
    await h.call('POST', `/api/v1/users/${student.id}/disable`, { token: admin.accessToken });
    expect((await ask(student.email)).status).toBe(202);
    expect(await resetCodesOf(student.id)).toEqual([]);
  });

  it('refuses a malformed e-mail and unknown fields', async () => {
    const bad = await ask('not-an-email');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('body.email');
    const extra = await h.call('POST', '/api/v1/auth/password-reset', {
      body: { email: uniqueUser().email, userId: randomUUID() },
    });
    expect(extra.status).toBe(400);
  });
});

describe('POST /api/v1/auth/password-reset/confirm', () => {
  const confirm = (code: unknown, newPassword: unknown = NEW_PASSWORD) =>
    h.call('POST', '/api/v1/auth/password-reset/confirm', { body: { code, newPassword } });

  async function studentWithCode() {
    const { student, second } = await studentOnTwoDevices();
    expect(
      (await h.call('POST', '/api/v1/auth/password-reset', { body: { email: student.email } })).status,
    ).toBe(202);
    const [code] = await resetCodesOf(student.id);
    return { student, second, code: code as string };
  }

  it('sets the new password and ends every session of the user', async () => {
    const { student, second, code } = await studentWithCode();
    const response = await confirm(code);
    expect(response.status).toBe(204);
    expect((await loginAs(student.email, PASSWORD)).status).toBe(401);
    expect((await loginAs(student.email, NEW_PASSWORD)).status).toBe(200);
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(401);
    expect(await eventTypesOf(student.id)).toContain('user.passwordChanged');
    expect(await auditActionsOf(student.id)).toContain('user.password_reset');
  });

  it('works once', async () => {
    const { student, code } = await studentWithCode();
    expect((await confirm(code)).status).toBe(204);
    const again = await confirm(code, 'a-third-long-password');
    expect(again.status).toBe(400);
    expect(again.json.code).toBe('invalid_reset_code');
    expect((await loginAs(student.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('expires', async () => {
    const { student, code } = await studentWithCode();
    h.clock.offsetMs = (h.config.PASSWORD_RESET_TTL_SECONDS + 1) * 1000;
    try {
      const late = await confirm(code);
      expect(late.status).toBe(400);
      expect(late.json.code).toBe('invalid_reset_code');
    } finally {
      h.clock.offsetMs = 0;
    }
    expect((await loginAs(student.email, PASSWORD)).status).toBe(200);
  });

  it('only the newest code works', async () => {
    const { student, code: first } = await studentWithCode();
    await h.call('POST', '/api/v1/auth/password-reset', { body: { email: student.email } });
    const [, second] = await resetCodesOf(student.id);
    expect((await confirm(first)).status).toBe(400);
    expect((await confirm(second)).status).toBe(204);
  });

  it('refuses an unknown code, a weak password and unknown fields, changing nothing', async () => {
    const { student, code } = await studentWithCode();
    expect((await confirm('pr_made-up-code')).status).toBe(400);
    const weak = await confirm(code, 'short');
    expect(weak.status).toBe(400);
    expect(weak.json.errors[0].field).toBe('body.newPassword');
    const extra = await h.call('POST', '/api/v1/auth/password-reset/confirm', {
      body: { code, newPassword: NEW_PASSWORD, email: student.email },
    });
    expect(extra.status).toBe(400);
    // The code was not spent by the refused requests.
    expect((await confirm(code)).status).toBe(204);
  });
});
