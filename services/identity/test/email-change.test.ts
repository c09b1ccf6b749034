import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterEach(() => {
  h.clock.offsetMs = 0;
});
afterAll(() => h.close());

type Student = Awaited<ReturnType<IdentityHarness['registerStudent']>>;

const requestChange = (token: string | undefined, body: unknown) =>
  h.call('POST', '/api/v1/auth/email', { body, ...(token ? { token } : {}) });
const confirmChange = (token: string, code: unknown) =>
  h.call('POST', '/api/v1/auth/email/confirm', { body: { code }, token });
const refresh = (refreshToken: string) => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const loginAs = (email: string, password = PASSWORD) =>
  h.call('POST', '/api/v1/auth/login', { body: { email, password } });

/** The confirmation codes identity handed to notifications for the user, newest last. */
async function changeCodesOf(userId: string): Promise<string[]> {
  const events = await h.eventsOf(userId, 'user.emailChangeRequested');
  return events.map((event) => event.data.confirmationCode as string);
}

/** Asks to move the student to a fresh address; answers that address and the code mailed to it. */
async function askForNewAddress(student: Student, newEmail = uniqueUser('moved').email) {
  const response = await requestChange(student.accessToken, { currentPassword: PASSWORD, newEmail });
  expect(response.status).toBe(202);
  const code = (await changeCodesOf(student.id)).at(-1) as string;
  return { newEmail, code };
}

describe('POST /api/v1/auth/email and /auth/email/confirm', () => {
  it('mails a code to the new address and warns the old one; the code switches the address', async () => {
    const student = await h.registerStudent();
    const second = await h.login(student.email, PASSWORD);
    const { newEmail, code } = await askForNewAddress(student);
    expect(code).toMatch(/^ec_[A-Za-z0-9_-]{43}$/);
    const [requested] = await h.eventsOf(student.id, 'user.emailChangeRequested');
    expect(requested?.data).toMatchObject({ userId: student.id, oldEmail: student.email, newEmail });
    // Stored hashed, with the address it confirms.
    const stored = await h.deps.db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('user_id', '=', student.id)
      .where('purpose', '=', 'email_change')
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.new_email).toBe(newEmail);
    expect(JSON.stringify(stored)).not.toContain(code);
    // Nothing changes until the code is confirmed.
    expect((await loginAs(student.email)).status).toBe(200);

    const confirmed = await confirmChange(second.accessToken, code);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ id: student.id, email: newEmail, emailVerified: true });
    expect((await loginAs(newEmail)).status).toBe(200);
    expect((await loginAs(student.email)).status).toBe(401);
    // Other sessions end; the one that confirmed goes on.
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(200);
    const events = await h.eventsOf(student.id);
    const updated = events.filter((event) => event.type === 'user.updated').at(-1);
    expect(updated?.data.email).toBe(newEmail);
    const changed = events.find((event) => event.type === 'user.emailChanged');
    expect(changed?.data).toMatchObject({ userId: student.id, oldEmail: student.email });
    expect(events.map((event) => event.type).slice(-2)).toEqual(['user.updated', 'user.emailChanged']);
    expect(await h.auditActionsOf(student.id)).toEqual(
      expect.arrayContaining(['user.email_change_requested', 'user.email_changed']),
    );
  });

  it('works once, expires, and only the newest code works', async () => {
    const student = await h.registerStudent();
    const first = await askForNewAddress(student);
    const newest = await askForNewAddress(student);
    const stale = await confirmChange(student.accessToken, first.code);
    expect(stale.status).toBe(400);
    expect(stale.json.code).toBe('invalid_email_change_code');

    h.clock.offsetMs = (h.config.EMAIL_CHANGE_TTL_SECONDS + 1) * 1000;
    // A token of that later moment: the one from registration has long expired by then.
    const later = await h.login(student.email, PASSWORD);
    const expired = await confirmChange(later.accessToken, newest.code);
    expect(expired.status).toBe(400);
    expect(expired.json.code).toBe('invalid_email_change_code');
    h.clock.offsetMs = 0;

    const fresh = await askForNewAddress(student);
    expect((await confirmChange(student.accessToken, fresh.code)).status).toBe(200);
    const reused = await confirmChange(student.accessToken, fresh.code);
    expect(reused.status).toBe(400);
    expect(reused.json.code).toBe('invalid_email_change_code');
  });

  it("refuses someone else's code, which stays good for its owner", async () => {
    const owner = await h.registerStudent();
    const stranger = await h.registerStudent();
    const { newEmail, code } = await askForNewAddress(owner);
    expect((await confirmChange(stranger.accessToken, code)).status).toBe(400);
    expect((await loginAs(stranger.email)).status).toBe(200);
    const confirmed = await confirmChange(owner.accessToken, code);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.email).toBe(newEmail);
  });

  it('answers a taken address like a free one, and tells only the confirmer of that mailbox', async () => {
    const student = await h.registerStudent();
    const other = await h.registerStudent();
    const free = await requestChange(student.accessToken, {
      currentPassword: PASSWORD,
      newEmail: uniqueUser('free').email,
    });
    const taken = await requestChange(student.accessToken, {
      currentPassword: PASSWORD,
      newEmail: other.email,
    });
    expect(taken.status).toBe(free.status);
    expect(taken.text).toBe(free.text);
    expect([...taken.headers.keys()].sort()).toEqual([...free.headers.keys()].sort());
    const code = (await changeCodesOf(student.id)).at(-1);
    const confirm = await confirmChange(student.accessToken, code);
    expect(confirm.status).toBe(409);
    expect(confirm.json.code).toBe('email_taken');
    // Nothing moved: both accounts sign in with their own addresses, and the student's sessions go on.
    expect((await loginAs(student.email)).status).toBe(200);
    expect((await loginAs(other.email)).status).toBe(200);
    expect((await refresh(student.refreshToken)).status).toBe(200);
  });

  it('needs the current password, counted like sign-in failures', async () => {
    const student = await h.registerStudent();
    const newEmail = uniqueUser('moved').email;
    const wrong = await requestChange(student.accessToken, { currentPassword: 'not-the-password', newEmail });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('current_password_wrong');
    expect(await changeCodesOf(student.id)).toEqual([]);
    for (let i = 1; i < h.config.LOGIN_MAX_FAILURES; i += 1) {
      await requestChange(student.accessToken, { currentPassword: `wrong-${i}`, newEmail });
    }
    const locked = await requestChange(student.accessToken, { currentPassword: PASSWORD, newEmail });
    expect(locked.status).toBe(429);
    expect(locked.json.code).toBe('login_locked');
    expect(await changeCodesOf(student.id)).toEqual([]);
  });

  it('is limited per account, and the window moves on', async () => {
    const student = await h.registerStudent();
    for (let i = 0; i < h.config.EMAIL_CHANGE_MAX_REQUESTS; i += 1) await askForNewAddress(student);
    const limited = await requestChange(student.accessToken, {
      currentPassword: PASSWORD,
      newEmail: uniqueUser('moved').email,
    });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('email_change_throttled');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await changeCodesOf(student.id)).toHaveLength(h.config.EMAIL_CHANGE_MAX_REQUESTS);
    h.clock.offsetMs = (h.config.EMAIL_CHANGE_WINDOW_SECONDS + 1) * 1000;
    await askForNewAddress({ ...student, ...(await h.login(student.email, PASSWORD)) });
  });

  it('retires the codes mailed to the old address', async () => {
    const student = await h.registerStudent();
    await h.call('POST', '/api/v1/auth/password-reset', { body: { email: student.email } });
    const [reset] = await h.eventsOf(student.id, 'user.passwordResetRequested');
    const { code } = await askForNewAddress(student);
    expect((await confirmChange(student.accessToken, code)).status).toBe(200);
    const late = await h.call('POST', '/api/v1/auth/password-reset/confirm', {
      body: { code: reset?.data.resetCode, newPassword: 'another-long-password' },
    });
    expect(late.status).toBe(400);
  });

  it('refuses the same address, bad input and a caller without a token', async () => {
    const student = await h.registerStudent();
    const same = await requestChange(student.accessToken, {
      currentPassword: PASSWORD,
      newEmail: student.email,
    });
    expect(same.status).toBe(400);
    expect(same.json.code).toBe('email_unchanged');
    const bad = await requestChange(student.accessToken, { currentPassword: PASSWORD, newEmail: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('body.newEmail');
    expect((await requestChange(undefined, { currentPassword: PASSWORD, newEmail: 'a@b.test' })).status).toBe(
      401,
    );
    expect((await h.call('POST', '/api/v1/auth/email/confirm', { body: { code: 'ec_x' } })).status).toBe(401);
  });
});
