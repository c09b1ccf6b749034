import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, TOTP_STEP_SECONDS, totp } from '../src/domain/totp.js';
import { codeNow as codeOnClock, enrolAuthenticator, nextCode as nextCodeOnClock } from './authenticator.js';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  // Fewer attempts per challenge than failures before the account locks, so each limit shows on its own.
  h = await createIdentityHarness({ MFA_CHALLENGE_MAX_ATTEMPTS: '3', LOGIN_MAX_FAILURES: '5' });
});
afterEach(() => {
  h.clock.offsetMs = 0;
});
afterAll(() => h.close());

type Student = Awaited<ReturnType<IdentityHarness['registerStudent']>>;

const loginAs = (email: string, password = PASSWORD) =>
  h.call('POST', '/api/v1/auth/login', { body: { email, password } });
const secondStep = (body: Record<string, unknown>) => h.call('POST', '/api/v1/auth/login/mfa', { body });
const refresh = (refreshToken: string) => h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const mfaStatus = (token: string) => h.call('GET', '/api/v1/auth/mfa', { token });

const codeNow = (secret: Buffer) => codeOnClock(h, secret);
const nextCode = (secret: Buffer) => nextCodeOnClock(h, secret);

/** A student with two-factor sign-in on: their authenticator's secret and the recovery codes. */
async function enrolledStudent() {
  const student = await h.registerStudent();
  return { student, ...(await enrolAuthenticator(h, student.accessToken)) };
}

async function challengeFor(student: Student): Promise<string> {
  const response = await loginAs(student.email);
  expect(response.status).toBe(202);
  return response.json.challenge as string;
}

describe('enrolling an authenticator', () => {
  it('shows the otpauth:// URI once, keeps the secret sealed, and waits for a first code', async () => {
    const student = await h.registerStudent();
    const started = await h.call('POST', '/api/v1/auth/mfa/totp', { token: student.accessToken });
    expect(started.status).toBe(200);
    expect(started.headers.get('cache-control')).toBe('no-store');
    const { otpauthUri, secret } = started.json as { otpauthUri: string; secret: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Bonding Platform:${student.email}`);
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Bonding Platform');
    const row = await h.deps.db
      .selectFrom('totp_credentials')
      .selectAll()
      .where('user_id', '=', student.id)
      .executeTakeFirstOrThrow();
    const raw = base32Decode(secret);
    expect(row.secret_sealed).not.toContain(secret);
    expect(row.secret_sealed).not.toContain(raw.toString('base64'));
    expect(row.secret_sealed.startsWith('k1:')).toBe(true);
    expect((await mfaStatus(student.accessToken)).json).toMatchObject({
      totp: 'pending',
      recoveryCodesLeft: 0,
    });
    // Still a password-only sign-in until it is confirmed.
    expect((await loginAs(student.email)).status).toBe(200);
  });

  it('turns on with a first valid code: recovery codes once (stored hashed), other sessions end', async () => {
    const student = await h.registerStudent();
    const other = await h.login(student.email, PASSWORD);
    const started = await h.call('POST', '/api/v1/auth/mfa/totp', { token: student.accessToken });
    const secret = base32Decode(started.json.secret);
    const wrong = await h.call('POST', '/api/v1/auth/mfa/totp/confirm', {
      token: student.accessToken,
      body: { code: totp(secret, new Date(h.deps.now().getTime() + 120_000)) },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('mfa_code_wrong');
    expect((await mfaStatus(student.accessToken)).json.totp).toBe('pending');

    const confirmed = await h.call('POST', '/api/v1/auth/mfa/totp/confirm', {
      token: student.accessToken,
      body: { code: codeNow(secret) },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('cache-control')).toBe('no-store');
    const codes = confirmed.json.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const stored = await h.deps.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', student.id)
      .execute();
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(stored)).not.toContain(code);
    expect((await mfaStatus(student.accessToken)).json).toMatchObject({ totp: 'on', recoveryCodesLeft: 10 });
    expect((await refresh(other.refreshToken)).status).toBe(401);
    expect((await refresh(student.refreshToken)).status).toBe(200);
    const [event] = await h.eventsOf(student.id, 'user.twoFactorChanged');
    expect(event?.data).toMatchObject({ change: 'enabled', recoveryCodesLeft: 10 });
    expect(await h.auditActionsOf(student.id)).toEqual(
      expect.arrayContaining(['user.mfa_enrolment_started', 'user.mfa_enabled']),
    );
  });

  it('refuses a second enrolment while one is on, and a confirmation without a start', async () => {
    const { student } = await enrolledStudent();
    const again = await h.call('POST', '/api/v1/auth/mfa/totp', { token: student.accessToken });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('mfa_already_enabled');
    const fresh = await h.registerStudent();
    const early = await h.call('POST', '/api/v1/auth/mfa/totp/confirm', {
      token: fresh.accessToken,
      body: { code: '123456' },
    });
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('mfa_enrolment_not_started');
    expect((await h.call('POST', '/api/v1/auth/mfa/totp')).status).toBe(401);
  });
});

describe('signing in with two factors', () => {
  it('answers a challenge instead of tokens, and tokens for the challenge with a code', async () => {
    const { student, secret } = await enrolledStudent();
    const first = await loginAs(student.email);
    expect(first.status).toBe(202);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json).toEqual({
      next: 'mfa_code',
      challenge: expect.stringMatching(/^mc_[A-Za-z0-9_-]{43}$/),
      expiresIn: h.config.MFA_CHALLENGE_TTL_SECONDS,
    });
    const signedIn = await secondStep({ challenge: first.json.challenge, code: nextCode(secret) });
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.tokenType).toBe('Bearer');
    expect((await h.call('GET', '/api/v1/auth/me', { token: signedIn.json.accessToken })).json.id).toBe(
      student.id,
    );
    expect((await refresh(signedIn.json.refreshToken)).status).toBe(200);
  });

  it('answers a wrong password exactly as for an unknown e-mail: nothing tells that two factors are on', async () => {
    const { student } = await enrolledStudent();
    const wrong = await loginAs(student.email, 'not-the-password');
    const unknown = await loginAs(uniqueUser('nobody').email, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    // The same problem, but for the id of the request it answers.
    const { requestId: _a, instance: _b, ...wrongProblem } = wrong.json;
    const { requestId: _c, instance: _d, ...unknownProblem } = unknown.json;
    expect(wrongProblem).toEqual(unknownProblem);
    expect(wrongProblem.code).toBe('invalid_credentials');
  });

  it('refuses a code used before (replay), even with a new challenge', async () => {
    const { student, secret } = await enrolledStudent();
    const code = nextCode(secret);
    expect((await secondStep({ challenge: await challengeFor(student), code })).status).toBe(200);
    const replay = await secondStep({ challenge: await challengeFor(student), code });
    expect(replay.status).toBe(401);
    expect(replay.json.code).toBe('mfa_code_wrong');
    // The code of the step before is refused too; the next step's works.
    const challenge = await challengeFor(student);
    const earlier = totp(secret, new Date(h.deps.now().getTime() - TOTP_STEP_SECONDS * 1000));
    expect((await secondStep({ challenge, code: earlier })).status).toBe(401);
    expect((await secondStep({ challenge, code: nextCode(secret) })).status).toBe(200);
    expect(await h.auditActionsOf(student.id)).toContain('user.mfa_failed');
  });

  it('uses each challenge once', async () => {
    const { student, secret } = await enrolledStudent();
    const challenge = await challengeFor(student);
    expect((await secondStep({ challenge, code: nextCode(secret) })).status).toBe(200);
    const again = await secondStep({ challenge, code: nextCode(secret) });
    expect(again.status).toBe(401);
    expect(again.json.code).toBe('mfa_challenge_invalid');
  });

  it('expires the challenge', async () => {
    const { student, secret } = await enrolledStudent();
    const challenge = await challengeFor(student);
    h.clock.offsetMs += (h.config.MFA_CHALLENGE_TTL_SECONDS + 1) * 1000;
    const late = await secondStep({ challenge, code: codeNow(secret) });
    expect(late.status).toBe(401);
    expect(late.json.code).toBe('mfa_challenge_invalid');
    expect(
      (await secondStep({ challenge: await challengeFor(student), code: nextCode(secret) })).status,
    ).toBe(200);
  });

  it('spends a challenge after MFA_CHALLENGE_MAX_ATTEMPTS wrong codes, even before a right one', async () => {
    const { student, secret } = await enrolledStudent();
    const challenge = await challengeFor(student);
    for (let i = 0; i < h.config.MFA_CHALLENGE_MAX_ATTEMPTS; i += 1) {
      const wrong = await secondStep({ challenge, code: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.code).toBe('mfa_code_wrong');
    }
    const spent = await secondStep({ challenge, code: nextCode(secret) });
    expect(spent.status).toBe(401);
    expect(spent.json.code).toBe('mfa_challenge_invalid');
  });

  it('locks the account after LOGIN_MAX_FAILURES wrong codes across challenges; a new password sign-in does not reset it', async () => {
    const { student, secret } = await enrolledStudent();
    let failures = 0;
    while (failures < h.config.LOGIN_MAX_FAILURES) {
      const challenge = await challengeFor(student);
      for (
        let i = 0;
        i < h.config.MFA_CHALLENGE_MAX_ATTEMPTS && failures < h.config.LOGIN_MAX_FAILURES;
        i += 1
      ) {
        expect((await secondStep({ challenge, code: '000000' })).status).toBe(401);
        failures += 1;
      }
    }
    const locked = await loginAs(student.email);
    expect(locked.status).toBe(429);
    expect(locked.json.code).toBe('login_locked');
    h.clock.offsetMs += (h.config.LOGIN_LOCKOUT_SECONDS + 1) * 1000;
    expect(
      (await secondStep({ challenge: await challengeFor(student), code: nextCode(secret) })).status,
    ).toBe(200);
  });

  it('takes each recovery code once, in place of a code, and tells the owner how many are left', async () => {
    const { student, recoveryCodes } = await enrolledStudent();
    const [first, second] = recoveryCodes as [string, string];
    const signedIn = await secondStep({ challenge: await challengeFor(student), recoveryCode: first });
    expect(signedIn.status).toBe(200);
    const reused = await secondStep({ challenge: await challengeFor(student), recoveryCode: first });
    expect(reused.status).toBe(401);
    expect(reused.json.code).toBe('mfa_code_wrong');
    // Typed loosely (capitals, no dashes) it still counts.
    const loose = second.replaceAll('-', '').toUpperCase();
    expect((await secondStep({ challenge: await challengeFor(student), recoveryCode: loose })).status).toBe(
      200,
    );
    expect((await mfaStatus(signedIn.json.accessToken)).json.recoveryCodesLeft).toBe(8);
    const used = await h.eventsOf(student.id, 'user.twoFactorChanged');
    expect(used.map((event) => [event.data.change, event.data.recoveryCodesLeft])).toEqual([
      ['enabled', 10],
      ['recovery_code_used', 9],
      ['recovery_code_used', 8],
    ]);
    expect(await h.auditActionsOf(student.id)).toContain('user.recovery_code_used');
  });

  it("refuses another user's recovery code", async () => {
    const { student } = await enrolledStudent();
    const other = await enrolledStudent();
    const foreign = await secondStep({
      challenge: await challengeFor(student),
      recoveryCode: other.recoveryCodes[0],
    });
    expect(foreign.status).toBe(401);
  });

  it('refuses a body with both or neither kind of code, and a malformed code', async () => {
    for (const body of [
      { challenge: 'mc_x' },
      { challenge: 'mc_x', code: '123456', recoveryCode: 'abcd' },
      { challenge: 'mc_x', code: '12345a' },
    ]) {
      const response = await secondStep(body);
      expect(response.status).toBe(400);
      expect(response.json.errors[0].field).toBe('body.code');
    }
  });
});

describe('POST /api/v1/auth/mfa/recovery-codes', () => {
  const renew = (token: string, code: string) =>
    h.call('POST', '/api/v1/auth/mfa/recovery-codes', { token, body: { code } });

  it('replaces the recovery codes with a code from the app: the old ones stop working', async () => {
    const { student, secret, recoveryCodes } = await enrolledStudent();
    const wrong = await renew(student.accessToken, '000000');
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('mfa_code_wrong');
    const renewed = await renew(student.accessToken, nextCode(secret));
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('cache-control')).toBe('no-store');
    const fresh = renewed.json.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => recoveryCodes.includes(code))).toBe(false);
    const old = await secondStep({ challenge: await challengeFor(student), recoveryCode: recoveryCodes[0] });
    expect(old.status).toBe(401);
    expect(
      (await secondStep({ challenge: await challengeFor(student), recoveryCode: fresh[0] })).status,
    ).toBe(200);
    const changes = (await h.eventsOf(student.id, 'user.twoFactorChanged')).map((event) => event.data.change);
    expect(changes).toContain('recovery_codes_renewed');
    expect(await h.auditActionsOf(student.id)).toContain('user.recovery_codes_renewed');
  });

  it('answers 409 without two-factor sign-in', async () => {
    const student = await h.registerStudent();
    const response = await renew(student.accessToken, '123456');
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('mfa_not_enabled');
  });
});

describe('turning two-factor sign-in off', () => {
  const disable = (token: string, body: unknown) =>
    h.call('POST', '/api/v1/auth/mfa/totp/disable', { token, body });

  it('needs the password and a code; then sign-in is password-only again', async () => {
    const { student, secret } = await enrolledStudent();
    const token = (await secondStep({ challenge: await challengeFor(student), code: nextCode(secret) })).json
      .accessToken as string;
    const badPassword = await disable(token, { password: 'not-the-password', code: nextCode(secret) });
    expect(badPassword.status).toBe(403);
    expect(badPassword.json.code).toBe('current_password_wrong');
    const badCode = await disable(token, { password: PASSWORD, code: '000000' });
    expect(badCode.status).toBe(403);
    expect(badCode.json.code).toBe('mfa_code_wrong');
    expect((await mfaStatus(token)).json.totp).toBe('on');
    expect((await disable(token, { password: PASSWORD, code: nextCode(secret) })).status).toBe(204);
    expect((await mfaStatus(token)).json).toMatchObject({ totp: 'off', recoveryCodesLeft: 0 });
    expect((await loginAs(student.email)).status).toBe(200);
    const changes = (await h.eventsOf(student.id, 'user.twoFactorChanged')).map((event) => event.data.change);
    expect(changes).toEqual(['enabled', 'disabled']);
    expect(await h.auditActionsOf(student.id)).toContain('user.mfa_disabled');
    const again = await disable(token, { password: PASSWORD, code: nextCode(secret) });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('mfa_not_enabled');
  });

  it('takes a recovery code in place of a code', async () => {
    const { student, recoveryCodes } = await enrolledStudent();
    expect(
      (await disable(student.accessToken, { password: PASSWORD, recoveryCode: recoveryCodes[3] })).status,
    ).toBe(204);
  });
});

describe('without FIELD_ENCRYPTION_KEYS', () => {
  let bare: IdentityHarness;
  beforeAll(async () => {
    bare = await createIdentityHarness({ FIELD_ENCRYPTION_KEYS: '' });
  });
  afterAll(() => bare?.close());

  it('answers 503 to an enrolment instead of storing a secret in the clear', async () => {
    const student = await bare.registerStudent();
    const response = await bare.call('POST', '/api/v1/auth/mfa/totp', { token: student.accessToken });
    expect(response.status).toBe(503);
    expect(response.json.code).toBe('mfa_unavailable');
    expect(await bare.deps.db.selectFrom('totp_credentials').selectAll().execute()).toEqual([]);
  });
});
