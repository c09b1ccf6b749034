import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../services/identity/src/domain/totp.js';
import { identityEventData, type Person, registerStudent, signInAdmin } from './journeys.js';
import { PLATFORM_SERVICES, type Platform, type PlatformService, startPlatform } from './platform.js';

/**
 * Sign-out that signs out: every way a session ends makes its access tokens refused within seconds (401
 * `session_ended`) by every service on its own (what protects Kubernetes, where Kong passes such a token)
 * and by the local gateway itself, while the user's other live sessions keep working; an open notification
 * stream of the ended session closes. Identity refuses at once (it ends the session); the others, and the
 * gateway, on session.ended@1's arrival.
 */
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({
    name: 'session_end',
    services: PLATFORM_SERVICES,
    startTimeoutMs: 120_000,
  });
}, 300_000);
afterAll(async () => {
  await platform?.close();
});

/** One signed-in session: its access and refresh tokens and its id (the token's `sid`). */
interface Session {
  token: string;
  refreshToken: string;
  sessionId: string;
}

async function signInSession(person: Pick<Person, 'email' | 'password'>): Promise<Session> {
  const response = await platform.api('POST', '/auth/login', {
    body: { email: person.email, password: person.password },
  });
  expect(response.status, response.text).toBe(200);
  const token = response.json.accessToken as string;
  const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
  return { token, refreshToken: response.json.refreshToken, sessionId: claims.sid };
}

/** A read each service answers 200 to a signed-in student, through the edge. */
const probes = {
  identity: '/auth/me',
  students: '/students/me',
  ledger: '/accounts',
  loans: '/loans',
  notifications: '/notifications',
} as const;

/** Kong marks a response it produced itself with X-Kong-Response-Latency, a proxied one with the upstream's. */
const byGateway = (response: Response) =>
  response.headers.has('x-kong-response-latency') && !response.headers.has('x-kong-upstream-latency');

/**
 * What each service's probe answers `token`: straight from the service, or through the edge, where a
 * refusal the gateway gave itself (before any service saw the request) says so.
 */
async function answers(token: string, via: 'service' | 'edge'): Promise<Record<string, number | string>> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([service, path]) => {
      const base = via === 'edge' ? platform.edge : platform.url(service as PlatformService);
      const response = await fetch(`${base}/api/v1${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = await response.text();
      if (response.status !== 401) return [service, response.status] as const;
      const { code } = JSON.parse(body) as { code: string };
      return [service, byGateway(response) ? `${code} by the gateway` : code] as const;
    }),
  );
  return Object.fromEntries(entries);
}

const everywhere = (value: number | string) =>
  Object.fromEntries(Object.keys(probes).map((service) => [service, value]));

/** Waits until `accepted` holds for every answer, straight and through the edge, then shows them. */
async function refusedEverywhere(
  token: string,
  accepted: { service: readonly string[]; edge: readonly string[] },
  what: string,
): Promise<{ service: Record<string, number | string>; edge: Record<string, number | string> }> {
  let last = { service: {}, edge: {} } as Awaited<ReturnType<typeof refusedEverywhere>>;
  const all = (found: Record<string, number | string>, allowed: readonly string[]) =>
    Object.values(found).every((answer) => allowed.includes(String(answer)));
  await waitFor(
    async () => {
      last = { service: await answers(token, 'service'), edge: await answers(token, 'edge') };
      return all(last.service, accepted.service) && all(last.edge, accepted.edge);
    },
    { timeoutMs: 15_000, what },
  ).catch(() => undefined);
  return last;
}

/** Waits until every service, and the gateway in front of them, refuses `token` as of an ended session. */
async function expectEndedEverywhere(token: string): Promise<void> {
  const answered = await refusedEverywhere(
    token,
    { service: ['session_ended'], edge: ['session_ended by the gateway'] },
    'every service and the gateway to refuse the ended session',
  );
  expect(answered).toEqual({
    service: everywhere('session_ended'),
    edge: everywhere('session_ended by the gateway'),
  });
}

async function expectLive(token: string): Promise<void> {
  expect({ service: await answers(token, 'service'), edge: await answers(token, 'edge') }).toEqual({
    service: everywhere(200),
    edge: everywhere(200),
  });
}

/** A student with two sessions, both working everywhere (the directories have the student). */
async function studentWithTwoSessions(): Promise<{ person: Person; ended: Session; kept: Session }> {
  const person = await registerStudent(platform);
  const ended = await signInSession(person);
  const kept = await signInSession(person);
  await waitFor(
    async () => (await platform.api('GET', '/students/me', { token: kept.token })).status === 200,
    {
      timeoutMs: 20_000,
      what: 'the students service to know the student',
    },
  );
  await expectLive(ended.token);
  return { person, ended, kept };
}

describe('an ended session', () => {
  it('sign-out: the token is refused everywhere, the other session works, its open stream closes', async () => {
    const { ended, kept } = await studentWithTwoSessions();
    const stream = await fetch(`${platform.edge}/api/v1/notifications/stream`, {
      headers: { Authorization: `Bearer ${ended.token}` },
    });
    expect(stream.status).toBe(200);
    const closed = (async () => {
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      for (;;) if ((await reader.read()).done) return true;
    })();

    const out = await platform.api('POST', '/auth/logout', { token: ended.token });
    expect(out.status, out.text).toBe(204);
    const me = await platform.api('GET', '/auth/me', { token: ended.token });
    expect(me.status, 'identity refuses at once').toBe(401);
    expect(me.json.code).toBe('session_ended');
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
    await expect(
      Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 15_000))]),
    ).resolves.toBe(true);
  }, 60_000);

  it('one session ended from another (DELETE /auth/sessions/{id})', async () => {
    const { ended, kept } = await studentWithTwoSessions();
    const deleted = await platform.api('DELETE', `/auth/sessions/${ended.sessionId}`, { token: kept.token });
    expect(deleted.status, deleted.text).toBe(204);
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
  }, 60_000);

  it('all other sessions ended (DELETE /auth/sessions)', async () => {
    const { ended, kept } = await studentWithTwoSessions();
    const deleted = await platform.api('DELETE', '/auth/sessions', { token: kept.token });
    expect(deleted.status, deleted.text).toBe(204);
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
  }, 60_000);

  it("a refresh token's reuse ends its session: the tokens issued on either refresh are refused", async () => {
    const { ended, kept } = await studentWithTwoSessions();
    const first = await platform.api('POST', '/auth/refresh', { body: { refreshToken: ended.refreshToken } });
    expect(first.status, first.text).toBe(200);
    const reused = await platform.api('POST', '/auth/refresh', {
      body: { refreshToken: ended.refreshToken },
    });
    expect(reused.status).toBe(401);
    expect(reused.json.code).toBe('refresh_token_reused');
    await expectEndedEverywhere(ended.token);
    await expectEndedEverywhere(first.json.accessToken);
    await expectLive(kept.token);
  }, 60_000);

  it('a password change ends the other sessions', async () => {
    const { person, ended, kept } = await studentWithTwoSessions();
    const changed = await platform.api('POST', '/auth/password', {
      token: kept.token,
      body: { currentPassword: person.password, newPassword: 'another long passphrase' },
    });
    expect(changed.status, changed.text).toBe(204);
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
  }, 60_000);

  it('a password reset ends every session', async () => {
    const { person, ended, kept } = await studentWithTwoSessions();
    const asked = await platform.api('POST', '/auth/password-reset', { body: { email: person.email } });
    expect(asked.status, asked.text).toBe(202);
    const { resetCode } = await identityEventData<{ resetCode: string }>(
      platform,
      'user.passwordResetRequested',
      person.id,
    );
    const reset = await platform.api('POST', '/auth/password-reset/confirm', {
      body: { code: resetCode, newPassword: 'a reset long passphrase' },
    });
    expect(reset.status, reset.text).toBe(204);
    await expectEndedEverywhere(ended.token);
    await expectEndedEverywhere(kept.token);
  }, 60_000);

  it('an e-mail change ends the other sessions', async () => {
    const { person, ended, kept } = await studentWithTwoSessions();
    const newEmail = `moved.${person.id.slice(0, 8)}@example.test`;
    const asked = await platform.api('POST', '/auth/email', {
      token: kept.token,
      body: { currentPassword: person.password, newEmail },
    });
    expect(asked.status, asked.text).toBe(202);
    const { confirmationCode } = await identityEventData<{ confirmationCode: string }>(
      platform,
      'user.emailChangeRequested',
      person.id,
    );
    const confirmed = await platform.api('POST', '/auth/email/confirm', {
      token: kept.token,
      body: { code: confirmationCode },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
  }, 60_000);

  it('turning two-factor sign-in on ends the other sessions', async () => {
    const { ended, kept } = await studentWithTwoSessions();
    const enrolment = await platform.api('POST', '/auth/mfa/totp', { token: kept.token });
    expect(enrolment.status, enrolment.text).toBe(200);
    const code = totp(base32Decode(enrolment.json.secret), new Date());
    const confirmed = await platform.api('POST', '/auth/mfa/totp/confirm', {
      token: kept.token,
      body: { code },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    await expectEndedEverywhere(ended.token);
    await expectLive(kept.token);
  }, 60_000);

  it("an admin disabling the user: every token of the user's is refused", async () => {
    const { person, ended, kept } = await studentWithTwoSessions();
    const admin = await signInAdmin(platform);
    const disabled = await platform.api('POST', `/users/${person.id}/disable`, { token: admin, body: {} });
    expect(disabled.status, disabled.text).toBe(200);
    // Either reason is right: the session ended and the user was disabled.
    const reasons = ['session_ended', 'token_revoked'];
    const accepted = { service: reasons, edge: reasons.map((code) => `${code} by the gateway`) };
    for (const token of [ended.token, kept.token]) {
      const answered = await refusedEverywhere(
        token,
        accepted,
        "every service and the gateway to refuse the disabled user's token",
      );
      for (const answer of Object.values(answered.service)) expect(accepted.service).toContain(answer);
      for (const answer of Object.values(answered.edge)) expect(accepted.edge).toContain(answer);
    }
  }, 60_000);
});
