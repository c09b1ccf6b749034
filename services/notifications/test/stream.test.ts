import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';
import { notificationOf, readSse, type SseReader } from './sse-client.js';

let h: NotificationsHarness;
const open: SseReader[] = [];
beforeAll(async () => {
  h = await createNotificationsHarness({ env: { STREAM_HEARTBEAT_MS: '100' } });
});
afterAll(async () => {
  await Promise.all(open.map((reader) => reader.close()));
  await h?.close();
});

/** Opens the stream on an app; the reader is closed after the file. */
async function stream(app: NotificationsHarness['app'], path: string, headers: Record<string, string> = {}) {
  const response = await app.request(path, { headers });
  if (response.status !== 200) return { response, reader: undefined };
  const reader = readSse(response.body);
  open.push(reader);
  // The first frame (retry + comment) is written once the connection is registered.
  await reader.next((frame) => frame.retry !== undefined);
  return { response, reader };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Something for the student to be told: a loan raised for them. */
async function loanCreatedFor(studentId: string, harness = h) {
  const loanId = randomUUID();
  const delivered = await harness.deliver('loan.created@1', {
    loanId,
    studentId,
    productId: randomUUID(),
    createdBy: randomUUID(),
    principal: money('15000000'),
  });
  expect(delivered.status).toBe(200);
  return loanId;
}

describe('GET /api/v1/notifications/stream', () => {
  it('pushes a new notification to the signed-in user as a server-sent event, with a bearer token', async () => {
    const student = await h.user('student');
    const { response, reader } = await stream(h.app, '/api/v1/notifications/stream', bearer(student.token));
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const started = Date.now();
    const loanId = await loanCreatedFor(student.id);
    const frame = await reader?.next();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(frame).toMatchObject({ event: 'notification', id: '1' });
    expect(notificationOf(frame as never)).toMatchObject({
      kind: 'loan_created',
      sequence: 1,
      data: { loanId },
      readAt: null,
    });
  });

  it("shows only the caller's own notifications", async () => {
    const student = await h.user('student');
    const other = await h.user('student');
    const { reader } = await stream(h.app, '/api/v1/notifications/stream', bearer(student.token));
    await loanCreatedFor(other.id);
    const mine = await loanCreatedFor(student.id);
    expect(notificationOf(await (reader as SseReader).next()).data.loanId).toBe(mine);
  });

  it('sends heartbeats while there is nothing to tell', async () => {
    const student = await h.user('student');
    const { reader } = await stream(h.app, '/api/v1/notifications/stream', bearer(student.token));
    const beat = await reader?.next((frame) => frame.comments.includes('heartbeat'), 2_000);
    expect(beat?.event).toBeUndefined();
  });

  it('resumes after Last-Event-ID: what was missed comes first, in order', async () => {
    const student = await h.user('student');
    const loans = [
      await loanCreatedFor(student.id),
      await loanCreatedFor(student.id),
      await loanCreatedFor(student.id),
    ];
    const { reader } = await stream(h.app, '/api/v1/notifications/stream', {
      ...bearer(student.token),
      'Last-Event-ID': '1',
    });
    const second = await (reader as SseReader).next();
    const third = await (reader as SseReader).next();
    expect([second.id, third.id]).toEqual(['2', '3']);
    expect([notificationOf(second).data.loanId, notificationOf(third).data.loanId]).toEqual(loans.slice(1));
    // And then carries on live.
    const fourth = await loanCreatedFor(student.id);
    const live = await (reader as SseReader).next();
    expect(live.id).toBe('4');
    expect(notificationOf(live).data.loanId).toBe(fourth);
  });

  it('resumes after ?lastEventId= too (a new EventSource cannot set the header)', async () => {
    const student = await h.user('student');
    await loanCreatedFor(student.id);
    await loanCreatedFor(student.id);
    const { reader } = await stream(
      h.app,
      '/api/v1/notifications/stream?lastEventId=1',
      bearer(student.token),
    );
    expect((await (reader as SseReader).next()).id).toBe('2');
  });

  it('without Last-Event-ID starts from now; a Last-Event-ID from the future does not hide what comes next', async () => {
    const student = await h.user('student');
    await loanCreatedFor(student.id);
    const fresh = await stream(h.app, '/api/v1/notifications/stream', bearer(student.token));
    const future = await stream(h.app, '/api/v1/notifications/stream', {
      ...bearer(student.token),
      'Last-Event-ID': '999',
    });
    await loanCreatedFor(student.id);
    expect((await (fresh.reader as SseReader).next()).id).toBe('2');
    expect((await (future.reader as SseReader).next()).id).toBe('2');
  });

  it('refuses a malformed Last-Event-ID (400), no credentials (401) and a bad token (401)', async () => {
    const student = await h.user('student');
    const bad = await h.call('GET', '/api/v1/notifications/stream', {
      token: student.token,
      headers: { 'Last-Event-ID': 'abc' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toMatch(/last-event-id/i);
    const anonymous = await h.call('GET', '/api/v1/notifications/stream');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.code).toBe('authentication_required');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const forged = await h.call('GET', '/api/v1/notifications/stream', { token: 'not.a.token' });
    expect(forged.status).toBe(401);
  });

  it('ends the stream with an `expired` event when the token it was opened with expires', async () => {
    const student = await h.user('student');
    const token = await h.issuer.token({ sub: student.id, role: 'student', ttlSeconds: 60 });
    const { reader } = await stream(h.app, '/api/v1/notifications/stream', bearer(token));
    h.advanceClock(61_000);
    try {
      const expired = await (reader as SseReader).next((frame) => frame.event === 'expired');
      expect(JSON.parse(expired.data as string)).toEqual({ reason: 'token_expired' });
      expect(await reader?.waitForEnd()).toBe(true);
    } finally {
      h.advanceClock(-61_000);
    }
  });

  it("ends a disabled user's open streams", async () => {
    const student = await h.user('student');
    const { reader } = await stream(h.app, '/api/v1/notifications/stream', bearer(student.token));
    const disabled = await h.deliver('user.disabled@1', {
      userId: student.id,
      disabledBy: randomUUID(),
      disabledAt: new Date(Date.now() + 1000).toISOString(),
    });
    expect(disabled.status).toBe(200);
    expect(await reader?.waitForEnd()).toBe(true);
    expect((await h.call('GET', '/api/v1/notifications/stream', { token: student.token })).status).toBe(401);
  });

  it('ends every stream when the server starts draining, so a shutdown is not held up', async () => {
    const replica = await createNotificationsHarness({ database: h.database, issuer: h.issuer });
    try {
      const student = await replica.user('student');
      const { reader } = await stream(replica.app, '/api/v1/notifications/stream', bearer(student.token));
      replica.health.draining = true;
      expect(await reader?.waitForEnd(2_000)).toBe(true);
    } finally {
      await replica.close();
    }
  });
});

describe('several replicas on one database', () => {
  it('a replica that did not receive the event still pushes it to the user connected to it', async () => {
    const other = await createNotificationsHarness({ database: h.database, issuer: h.issuer });
    try {
      const student = await h.user('student');
      const { reader } = await stream(other.app, '/api/v1/notifications/stream', bearer(student.token));
      const started = Date.now();
      // Delivered to the first replica, not the one holding the stream.
      const loanId = await loanCreatedFor(student.id, h);
      const frame = await (reader as SseReader).next();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(notificationOf(frame).data.loanId).toBe(loanId);
    } finally {
      await other.close();
    }
  });
});

describe('POST /api/v1/notifications/stream-tickets', () => {
  it('issues a one-time ticket that opens the stream for its user, and stores only its hash', async () => {
    const student = await h.user('student');
    const issued = await h.call('POST', '/api/v1/notifications/stream-tickets', { token: student.token });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const { ticket, expiresAt } = issued.json;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(50_000);
    const stored = await h.deps.db
      .selectFrom('stream_tickets')
      .selectAll()
      .where('user_id', '=', student.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.ticket_hash).toBe(createHash('sha256').update(ticket).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(ticket);

    const { reader } = await stream(h.app, `/api/v1/notifications/stream?ticket=${ticket}`);
    const loanId = await loanCreatedFor(student.id);
    expect(notificationOf(await (reader as SseReader).next()).data.loanId).toBe(loanId);
  });

  it('refuses a ticket the second time, on any replica', async () => {
    const other = await createNotificationsHarness({ database: h.database, issuer: h.issuer });
    try {
      const student = await h.user('student');
      const { ticket } = (
        await h.call('POST', '/api/v1/notifications/stream-tickets', { token: student.token })
      ).json;
      const first = await stream(h.app, `/api/v1/notifications/stream?ticket=${ticket}`);
      expect(first.response.status).toBe(200);
      for (const app of [h.app, other.app]) {
        const again = await app.request(`/api/v1/notifications/stream?ticket=${ticket}`);
        expect(again.status).toBe(401);
        expect(((await again.json()) as { code: string }).code).toBe('invalid_ticket');
      }
    } finally {
      await other.close();
    }
  });

  it('lets exactly one of two simultaneous requests use a ticket', async () => {
    const student = await h.user('student');
    const { ticket } = (
      await h.call('POST', '/api/v1/notifications/stream-tickets', { token: student.token })
    ).json;
    const responses = await Promise.all(
      [1, 2, 3].map(() => h.app.request(`/api/v1/notifications/stream?ticket=${ticket}`)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    for (const response of responses) {
      if (response.status === 200) open.push(readSse(response.body));
      else await response.body?.cancel();
    }
  });

  it('refuses an expired ticket, and an unknown one', async () => {
    const student = await h.user('student');
    const { ticket } = (
      await h.call('POST', '/api/v1/notifications/stream-tickets', { token: student.token })
    ).json;
    h.advanceClock(61_000);
    try {
      const expired = await h.call('GET', `/api/v1/notifications/stream?ticket=${ticket}`);
      expect(expired.status).toBe(401);
      expect(expired.json.code).toBe('invalid_ticket');
    } finally {
      h.advanceClock(-61_000);
    }
    const unknown = await h.call('GET', `/api/v1/notifications/stream?ticket=${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    const garbage = await h.call('GET', '/api/v1/notifications/stream?ticket=%3Cscript%3E');
    expect(garbage.status).toBe(401);
  });

  it('never issues a ticket that outlives the token it was asked with', async () => {
    const student = await h.user('student');
    const token = await h.issuer.token({ sub: student.id, role: 'student', ttlSeconds: 10 });
    const issued = await h.call('POST', '/api/v1/notifications/stream-tickets', { token });
    expect(new Date(issued.json.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10_000);
  });

  it('refuses a ticket once its user was disabled', async () => {
    const student = await h.user('student');
    const { ticket } = (
      await h.call('POST', '/api/v1/notifications/stream-tickets', { token: student.token })
    ).json;
    await h.deliver('user.disabled@1', {
      userId: student.id,
      disabledBy: randomUUID(),
      disabledAt: new Date(Date.now() + 1000).toISOString(),
    });
    const refused = await h.call('GET', `/api/v1/notifications/stream?ticket=${ticket}`);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('token_revoked');
  });

  it('needs a signed-in caller', async () => {
    expect((await h.call('POST', '/api/v1/notifications/stream-tickets')).status).toBe(401);
    expect((await h.call('POST', '/api/v1/notifications/stream-tickets', { token: 'x.y.z' })).status).toBe(
      401,
    );
  });
});
