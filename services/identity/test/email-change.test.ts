import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enrolAuthenticator, nextCode } from './authenticator.js';
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

describe('POST /api/v1/auth/email with two-factor sign-in on', () => {
  /** A student with an authenticator, and the second-factor fields of a request to move them. */
  async function enrolledStudent() {
    const student = await h.registerStudent();
    return { student, ...(await enrolAuthenticator(h, student.accessToken)) };
  }
  const moveTo = (newEmail = uniqueUser('moved').email) => ({ currentPassword: PASSWORD, newEmail });
  const storedChangeCodes = (userId: string) =>
    h.deps.db
      .selectFrom('one_time_codes')
      .select('new_email')
      .where('user_id', '=', userId)
      .where('purpose', '=', 'email_change')
      .execute();
  const recoveryCodesLeft = async (token: string) =>
    (await h.call('GET', '/api/v1/auth/mfa', { token })).json.recoveryCodesLeft as number;
  async function auditDetailsOf(userId: string, action: string) {
    const rows = await h.deps.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_id', '=', userId)
      .where('action', '=', action)
      .orderBy('id')
      .execute();
    return rows.map((row) => (row.details ? JSON.parse(row.details) : null));
  }

  it('asks for the second factor first: 403 mfa_code_required, nothing stored or mailed, no attempt counted', async () => {
    const { student, secret } = await enrolledStudent();
    for (const currentPassword of [PASSWORD, 'not-the-password']) {
      const bare = await requestChange(student.accessToken, { ...moveTo(), currentPassword });
      expect(bare.status).toBe(403);
      expect(bare.headers.get('content-type')).toContain('application/problem+json');
      expect(bare.json.code).toBe('mfa_code_required');
      expect(bare.json.detail).toMatch(/recoveryCode/);
    }
    expect(await changeCodesOf(student.id)).toEqual([]);
    expect(await storedChangeCodes(student.id)).toEqual([]);
    // Asking without a factor, however often, never locks the account.
    for (let i = 0; i < h.config.LOGIN_MAX_FAILURES; i += 1) {
      expect((await requestChange(student.accessToken, moveTo())).status).toBe(403);
    }
    const newEmail = uniqueUser('moved').email;
    const withCode = await requestChange(student.accessToken, {
      ...moveTo(newEmail),
      code: nextCode(h, secret),
    });
    expect(withCode.status).toBe(202);
    expect(await storedChangeCodes(student.id)).toEqual([{ new_email: newEmail }]);
  });

  it('takes the password and a valid code: 202 and the change goes on as without two factors', async () => {
    const { student, secret } = await enrolledStudent();
    // A wrong password is refused before the code is looked at, so the code stays good.
    const code = nextCode(h, secret);
    const badPassword = await requestChange(student.accessToken, {
      ...moveTo(),
      currentPassword: 'not-the-password',
      code,
    });
    expect(badPassword.status).toBe(403);
    expect(badPassword.json.code).toBe('current_password_wrong');
    const newEmail = uniqueUser('moved').email;
    const requested = await requestChange(student.accessToken, { ...moveTo(newEmail), code });
    expect(requested.status).toBe(202);
    expect(requested.text).toBe('');
    const mailed = (await changeCodesOf(student.id)).at(-1);
    expect(mailed).toMatch(/^ec_/);
    expect(await auditDetailsOf(student.id, 'user.email_change_requested')).toEqual([
      { secondFactor: 'totp' },
    ]);
    const confirmed = await confirmChange(student.accessToken, mailed);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.email).toBe(newEmail);
  });

  it('refuses a wrong code as turning two-factor off does, and counts it toward the lockout', async () => {
    const { student, secret } = await enrolledStudent();
    const wrong = await requestChange(student.accessToken, { ...moveTo(), code: '000000' });
    const disableWrong = await h.call('POST', '/api/v1/auth/mfa/totp/disable', {
      token: student.accessToken,
      body: { password: PASSWORD, code: '000000' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('mfa_code_wrong');
    expect({ status: wrong.status, code: wrong.json.code, detail: wrong.json.detail }).toEqual({
      status: disableWrong.status,
      code: disableWrong.json.code,
      detail: disableWrong.json.detail,
    });
    expect(await storedChangeCodes(student.id)).toEqual([]);
    expect(await h.auditActionsOf(student.id)).toContain('user.mfa_failed');
    // Two wrong codes so far (one here, one at disable); the rest of LOGIN_MAX_FAILURES locks the account.
    for (let failures = 2; failures < h.config.LOGIN_MAX_FAILURES; failures += 1) {
      expect((await requestChange(student.accessToken, { ...moveTo(), code: '000000' })).status).toBe(403);
    }
    const locked = await requestChange(student.accessToken, { ...moveTo(), code: nextCode(h, secret) });
    expect(locked.status).toBe(429);
    expect(locked.json.code).toBe('login_locked');
    expect((await loginAs(student.email)).status).toBe(429);
    expect(await changeCodesOf(student.id)).toEqual([]);
    // Once the lockout is over a right code works: the mistyped ones used up none of the requests allowed.
    expect(h.config.LOGIN_MAX_FAILURES).toBeGreaterThan(h.config.EMAIL_CHANGE_MAX_REQUESTS);
    h.clock.offsetMs += (h.config.LOGIN_LOCKOUT_SECONDS + 1) * 1000;
    const later = await requestChange(student.accessToken, { ...moveTo(), code: nextCode(h, secret) });
    expect(later.status).toBe(202);
  });

  it('refuses a code used before', async () => {
    const { student, secret } = await enrolledStudent();
    const code = nextCode(h, secret);
    expect((await requestChange(student.accessToken, { ...moveTo(), code })).status).toBe(202);
    const replay = await requestChange(student.accessToken, { ...moveTo(), code });
    expect(replay.status).toBe(403);
    expect(replay.json.code).toBe('mfa_code_wrong');
    expect(await changeCodesOf(student.id)).toHaveLength(1);
    expect(await auditDetailsOf(student.id, 'user.mfa_failed')).toEqual([{ reason: 'replayed_code' }]);
  });

  it('takes a recovery code in place of a code, once', async () => {
    const { student, recoveryCodes } = await enrolledStudent();
    const recoveryCode = recoveryCodes[0] as string;
    expect((await requestChange(student.accessToken, { ...moveTo(), recoveryCode })).status).toBe(202);
    expect(await recoveryCodesLeft(student.accessToken)).toBe(recoveryCodes.length - 1);
    expect(await auditDetailsOf(student.id, 'user.email_change_requested')).toEqual([
      { secondFactor: 'recovery_code' },
    ]);
    const again = await requestChange(student.accessToken, { ...moveTo(), recoveryCode });
    expect(again.status).toBe(403);
    expect(again.json.code).toBe('mfa_code_wrong');
    expect(await changeCodesOf(student.id)).toHaveLength(1);
  });

  it('does not spend the factor of a request refused for the per-account limit', async () => {
    const { student, secret, recoveryCodes } = await enrolledStudent();
    for (let i = 0; i < h.config.EMAIL_CHANGE_MAX_REQUESTS; i += 1) {
      expect(
        (await requestChange(student.accessToken, { ...moveTo(), code: nextCode(h, secret) })).status,
      ).toBe(202);
    }
    const limited = await requestChange(student.accessToken, { ...moveTo(), recoveryCode: recoveryCodes[0] });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('email_change_throttled');
    expect(await recoveryCodesLeft(student.accessToken)).toBe(recoveryCodes.length);
  });

  it('refuses both kinds of code at once, and a malformed code', async () => {
    const { student, secret, recoveryCodes } = await enrolledStudent();
    for (const factor of [
      { code: nextCode(h, secret), recoveryCode: recoveryCodes[0] },
      { code: '12345a' },
    ]) {
      const response = await requestChange(student.accessToken, { ...moveTo(), ...factor });
      expect(response.status).toBe(400);
      expect(response.json.errors[0].field).toBe('body.code');
    }
    expect(await recoveryCodesLeft(student.accessToken)).toBe(recoveryCodes.length);
  });

  it('without two-factor sign-in (none, or an enrolment not confirmed) needs no factor and refuses one', async () => {
    const student = await h.registerStudent();
    const refused = await requestChange(student.accessToken, { ...moveTo(), code: '123456' });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('mfa_not_enabled');
    expect(await changeCodesOf(student.id)).toEqual([]);
    expect((await requestChange(student.accessToken, moveTo())).status).toBe(202);
    const pending = await h.registerStudent();
    expect((await h.call('POST', '/api/v1/auth/mfa/totp', { token: pending.accessToken })).status).toBe(200);
    expect((await requestChange(pending.accessToken, moveTo())).status).toBe(202);
  });
});
