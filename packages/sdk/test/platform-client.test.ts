import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeStudent, createProduct, signInAdmin } from '../../../tests/platform/journeys.js';
import { type Platform, startPlatform } from '../../../tests/platform/platform.js';
import { ApiProblem, createBondingClient, ok, problemOf, type RetryOptions } from '../src/index.js';

/** The SDK against the real platform through the edge: what a client written with it sees. */
let platform: Platform;
let student: { email: string; password: string };
let productId: string;
beforeAll(async () => {
  platform = await startPlatform({ name: 'sdk', services: ['identity', 'students', 'catalog', 'loans'] });
  student = await completeStudent(platform);
  productId = await createProduct(platform, await signInAdmin(platform));
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

interface Sent {
  method: string;
  path: string;
  key: string | null;
  status?: number;
}

/** A client whose every request is recorded as sent (method, path, Idempotency-Key, status), to count them. */
function recordingClient(options: { retry?: RetryOptions; answered?: (sent: Sent) => void } = {}) {
  const sent: Sent[] = [];
  const client = createBondingClient({
    baseUrl: platform.edge,
    retry: options.retry,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const record: Sent = {
        method: request.method,
        path: new URL(request.url).pathname,
        key: request.headers.get('idempotency-key'),
      };
      sent.push(record);
      const response = await fetch(request);
      record.status = response.status;
      options.answered?.(record);
      return response;
    },
  });
  return { client, sent };
}

const loanApplication = (principal = 1_500_000) => ({
  productId,
  principal,
  termMonths: 6,
  purpose: 'Tuition',
  academicYear: '2026/2027',
});

describe('the SDK through the edge', () => {
  it('signs in and makes typed calls with the session', async () => {
    const { client } = recordingClient();
    await client.signIn(student.email, student.password);
    const me = await ok(client.api.GET('/api/v1/auth/me'));
    expect(me.email).toBe(student.email);
    expect(client.tokens?.refreshToken).toEqual(expect.any(String));
  });

  it('answers failures as problems: a 404 as a value, a 422 as a thrown ApiProblem', async () => {
    const { client } = recordingClient();
    await client.signIn(student.email, student.password);

    const missing = await client.api.GET('/api/v1/loans/{id}', { params: { path: { id: randomUUID() } } });
    expect(problemOf(missing)).toMatchObject({ status: 404, code: 'loan_not_found' });

    const tooBig = await ok(client.api.POST('/api/v1/loans', { body: loanApplication(10) })).catch((e) => e);
    expect(tooBig).toBeInstanceOf(ApiProblem);
    expect(tooBig).toMatchObject({ status: 422, code: 'principal_out_of_range' });

    // The edge's own answers (Kong's {"message"} body) become problems too.
    const signedOut = createBondingClient({ baseUrl: platform.edge });
    const refused = await signedOut.api.GET('/api/v1/auth/me');
    expect(problemOf(refused)).toMatchObject({ status: 401, code: 'edge_401', detail: 'Unauthorized' });
  });

  it('renews a refused access token once for calls refused together, and the session lives on', async () => {
    const { client, sent } = recordingClient();
    await client.signIn(student.email, student.password);
    const refreshToken = client.tokens?.refreshToken as string;
    // A token the edge refuses stands in for an expired one (the shortest lifetime identity allows is 60 s).
    client.useTokens({ accessToken: 'expired.access.token', refreshToken });

    const [first, second] = await Promise.all([
      client.api.GET('/api/v1/auth/me'),
      client.api.GET('/api/v1/students/me'),
    ]);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    expect(sent.filter((request) => request.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(client.tokens?.refreshToken).not.toBe(refreshToken);

    // Had the old refresh token been presented twice, identity would have ended the family: it did not.
    client.useTokens({ accessToken: 'expired.again', refreshToken: client.tokens?.refreshToken as string });
    expect((await client.api.GET('/api/v1/auth/me')).response.status).toBe(200);
    expect(sent.filter((request) => request.path === '/api/v1/auth/refresh')).toHaveLength(2);
  });

  it('gives up when the session is over instead of refreshing again', async () => {
    const { client, sent } = recordingClient();
    await client.signIn(student.email, student.password);
    const tokens = client.tokens as { accessToken: string; refreshToken: string };
    await client.signOut();
    client.useTokens({ accessToken: 'expired.access.token', refreshToken: tokens.refreshToken });

    const refused = await client.api.GET('/api/v1/auth/me');
    expect(refused.response.status).toBe(401);
    expect(sent.filter((request) => request.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(client.tokens).toBeUndefined();
  });

  it('keeps the session when identity cannot be asked to renew it, and renews once identity is back', async () => {
    const { client, sent } = recordingClient();
    await client.signIn(student.email, student.password);
    const refreshToken = client.tokens?.refreshToken as string;
    client.useTokens({ accessToken: 'expired.access.token', refreshToken });

    await platform.stop('identity');
    try {
      const refused = await client.api.GET('/api/v1/students/me');
      expect(refused.response.status).toBe(401);
      expect(sent.find((request) => request.path === '/api/v1/auth/refresh')?.status).toBeGreaterThanOrEqual(
        500,
      );
      expect(client.tokens?.refreshToken).toBe(refreshToken);
    } finally {
      await platform.start('identity');
    }
    expect((await client.api.GET('/api/v1/students/me')).response.status).toBe(200);
    expect(client.tokens?.refreshToken).not.toBe(refreshToken);
  }, 90_000);

  it('keys a money-moving POST itself, and a retry with that key replays the loan', async () => {
    const { client, sent } = recordingClient();
    await client.signIn(student.email, student.password);

    const applied = await client.api.POST('/api/v1/loans', { body: loanApplication() });
    expect(applied.response.status).toBe(201);
    const key = sent.at(-1)?.key;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    // Sign-in moves no money: the document declares no key for it, so none is sent.
    expect(sent.find((request) => request.path === '/api/v1/auth/login')?.key).toBeNull();

    const again = await client.api.POST('/api/v1/loans', {
      body: loanApplication(),
      params: { header: { 'idempotency-key': key as string } },
    });
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data?.id).toBe(applied.data?.id);
  });

  it('retries a keyed POST that met 503 with Retry-After, with the same key, until it goes through', async () => {
    let restarted: Promise<void> | undefined;
    const { client, sent } = recordingClient({
      // Loans asks for 5 s when catalog is down; 8 attempts leave a slow machine 40 s to restart catalog.
      retry: { attempts: 8, maxDelayMs: 5000 },
      answered: (request) => {
        if (request.status === 503) restarted ??= platform.start('catalog');
      },
    });
    await client.signIn(student.email, student.password);
    await platform.stop('catalog');

    const applied = await client.api.POST('/api/v1/loans', { body: loanApplication() });
    await restarted;
    expect(applied.response.status).toBe(201);
    const attempts = sent.filter((request) => request.path === '/api/v1/loans');
    expect(attempts[0]?.status).toBe(503);
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts.map((request) => request.key)).size).toBe(1);
  }, 90_000);
});
