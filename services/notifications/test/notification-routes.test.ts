import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsHarness, money, type NotificationsHarness } from './harness.js';

let h: NotificationsHarness;
beforeAll(async () => {
  h = await createNotificationsHarness();
});
afterAll(() => h?.close());

/** `count` notifications for the student (loans raised for them); returns their loan ids, oldest first. */
async function notify(studentId: string, count: number): Promise<string[]> {
  const loans: string[] = [];
  for (let i = 0; i < count; i++) {
    const loanId = randomUUID();
    const delivered = await h.deliver('loan.created@1', {
      loanId,
      studentId,
      productId: randomUUID(),
      createdBy: randomUUID(),
      principal: money(String(100_000 * (i + 1))),
    });
    expect(delivered.status).toBe(200);
    loans.push(loanId);
  }
  return loans;
}

describe('GET /api/v1/notifications', () => {
  it("lists the caller's notifications newest first, page by page", async () => {
    const student = await h.user('student');
    const loans = await notify(student.id, 3);
    await notify((await h.user('student')).id, 1);
    const first = await h.call('GET', '/api/v1/notifications?limit=2', { token: student.token });
    expect(first.status).toBe(200);
    expect(first.json.items.map((n: any) => n.data.loanId)).toEqual([loans[2], loans[1]]);
    expect(first.json.items[0]).toMatchObject({
      kind: 'loan_created',
      sequence: 3,
      title: 'A loan application was raised for you',
      body: 'An application for MWK 3,000.00 was raised for you and awaits a decision.',
      readAt: null,
    });
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await h.call('GET', `/api/v1/notifications?limit=2&cursor=${first.json.nextCursor}`, {
      token: student.token,
    });
    expect(second.json.items.map((n: any) => n.data.loanId)).toEqual([loans[0]]);
    expect(second.json.nextCursor).toBeNull();
  });

  it('lists only unread ones with ?unread=true', async () => {
    const student = await h.user('student');
    await notify(student.id, 3);
    const all = (await h.call('GET', '/api/v1/notifications', { token: student.token })).json.items;
    await h.call('POST', `/api/v1/notifications/${all[1].id}/read`, { token: student.token });
    const unread = await h.call('GET', '/api/v1/notifications?unread=true', { token: student.token });
    expect(unread.json.items.map((n: any) => n.id)).toEqual([all[0].id, all[2].id]);
    const paged = await h.call('GET', '/api/v1/notifications?unread=true&limit=1', { token: student.token });
    const rest = await h.call('GET', `/api/v1/notifications?unread=true&cursor=${paged.json.nextCursor}`, {
      token: student.token,
    });
    expect(rest.json.items.map((n: any) => n.id)).toEqual([all[2].id]);
  });

  it('is empty for a user with no notifications', async () => {
    const agent = await h.user('agent');
    const response = await h.call('GET', '/api/v1/notifications', { token: agent.token });
    expect(response.json).toEqual({ items: [], nextCursor: null });
  });

  it('refuses bad paging and filters with 400', async () => {
    const student = await h.user('student');
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'unread=yes', 'cursor=nonsense']) {
      const response = await h.call('GET', `/api/v1/notifications?${query}`, { token: student.token });
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const foreign = Buffer.from(JSON.stringify(['x'])).toString('base64url');
    expect(
      (await h.call('GET', `/api/v1/notifications?cursor=${foreign}`, { token: student.token })).status,
    ).toBe(400);
  });

  it('needs a valid token', async () => {
    expect((await h.call('GET', '/api/v1/notifications')).status).toBe(401);
    expect((await h.call('GET', '/api/v1/notifications', { token: 'a.b.c' })).status).toBe(401);
  });
});

describe('POST /api/v1/notifications/{id}/read', () => {
  it('marks one notification read, and reading it again keeps the first time', async () => {
    const student = await h.user('student');
    await notify(student.id, 2);
    const [newer, older] = (await h.call('GET', '/api/v1/notifications', { token: student.token })).json
      .items;
    const read = await h.call('POST', `/api/v1/notifications/${older.id}/read`, { token: student.token });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: older.id, readAt: expect.any(String) });
    const again = await h.call('POST', `/api/v1/notifications/${older.id}/read`, { token: student.token });
    expect(again.json.readAt).toBe(read.json.readAt);
    const list = (await h.call('GET', '/api/v1/notifications', { token: student.token })).json.items;
    expect(list.find((n: any) => n.id === newer.id).readAt).toBeNull();
  });

  it("answers 404 for another user's notification, and leaves it unread", async () => {
    const owner = await h.user('student');
    const intruder = await h.user('student');
    await notify(owner.id, 1);
    const [theirs] = (await h.call('GET', '/api/v1/notifications', { token: owner.token })).json.items;
    const response = await h.call('POST', `/api/v1/notifications/${theirs.id}/read`, {
      token: intruder.token,
    });
    expect(response.status).toBe(404);
    expect(response.json.code).toBe('notification_not_found');
    expect((await h.notificationsOf(owner.id))[0]?.read_at).toBeNull();
  });

  it('answers 404 for an unknown id, 400 for a malformed one, 401 without a token', async () => {
    const student = await h.user('student');
    expect(
      (await h.call('POST', `/api/v1/notifications/${randomUUID()}/read`, { token: student.token })).status,
    ).toBe(404);
    const malformed = await h.call('POST', '/api/v1/notifications/abc/read', { token: student.token });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].field).toBe('path.id');
    expect((await h.call('POST', `/api/v1/notifications/${randomUUID()}/read`)).status).toBe(401);
  });
});

describe('POST /api/v1/notifications/read-all', () => {
  it("marks all of the caller's notifications read, and nobody else's", async () => {
    const student = await h.user('student');
    const other = await h.user('student');
    await notify(student.id, 3);
    await notify(other.id, 1);
    const response = await h.call('POST', '/api/v1/notifications/read-all', { token: student.token });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ markedRead: 3 });
    expect((await h.call('POST', '/api/v1/notifications/read-all', { token: student.token })).json).toEqual({
      markedRead: 0,
    });
    const unread = await h.call('GET', '/api/v1/notifications?unread=true', { token: student.token });
    expect(unread.json.items).toEqual([]);
    expect((await h.notificationsOf(other.id))[0]?.read_at).toBeNull();
  });

  it('refuses a body that is not JSON, and callers without a token', async () => {
    const student = await h.user('student');
    const text = await h.app.request('/api/v1/notifications/read-all', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${student.token}`,
        'Content-Type': 'text/plain',
        'Content-Length': '5',
      },
      body: 'hello',
    });
    expect(text.status).toBe(400);
    expect((await h.call('POST', '/api/v1/notifications/read-all')).status).toBe(401);
  });
});

describe('GET /metrics', () => {
  it('reports the mail outbox and open streams', async () => {
    const response = await h.call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/^mail_outbox_messages\{status="pending",service="notifications"\} \d+$/m);
    expect(response.text).toMatch(/^notification_streams_open\{service="notifications"\} 0$/m);
    expect(response.text).toMatch(
      /^notifications_created_total\{kind="loan_created",service="notifications"\} \d+$/m,
    );
  });
});
