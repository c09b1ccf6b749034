import { loadRevocations, SIGNATURE_HEADER, signRequest, UserRevocationList } from '@bonding/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

const INTERNAL_SECRET = 'identity-internal-secret-for-these-tests-01';

let h: IdentityHarness;
let admin: { accessToken: string };
beforeAll(async () => {
  h = await createIdentityHarness({ INTERNAL_SECRETS: INTERNAL_SECRET });
  admin = await h.adminLogin();
});
afterAll(() => h.close());

/**
 * The directory and status events identity wrote about one user, in the order consumers will get them.
 * The verification code sent on registration is left out here: email-verification.test.ts covers it.
 */
async function eventsAbout(userId: string) {
  const rows = await h.deps.db
    .selectFrom('outbox')
    .select(['type', 'version', 'payload'])
    .where('aggregate_key', '=', userId)
    .where('type', '<>', 'user.emailVerificationRequested')
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ type: `${row.type}@${row.version}`, data: JSON.parse(row.payload) }));
}

describe('the events identity emits', () => {
  it('user.registered on registration, with the directory fields and nothing else', async () => {
    const who = uniqueUser('events');
    const response = await h.call('POST', '/api/v1/auth/register', {
      body: {
        email: who.email,
        password: PASSWORD,
        firstName: 'Thoko',
        lastName: 'Mwale',
        role: 'student',
        regNumber: who.regNumber,
      },
    });
    expect(response.status).toBe(201);
    expect(await eventsAbout(response.json.id)).toEqual([
      {
        type: 'user.registered@1',
        data: {
          userId: response.json.id,
          email: who.email,
          firstName: 'Thoko',
          lastName: 'Mwale',
          role: 'student',
          status: 'active',
          regNumber: who.regNumber,
        },
      },
    ]);
  });

  it('nothing for a registration that failed', async () => {
    const student = await h.registerStudent();
    const before = await h.deps.db
      .selectFrom('outbox')
      .select(h.deps.db.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    const again = await h.call('POST', '/api/v1/auth/register', {
      body: { email: student.email, password: PASSWORD, firstName: 'A', lastName: 'B', role: 'agent' },
    });
    expect(again.status).toBe(409);
    const after = await h.deps.db
      .selectFrom('outbox')
      .select(h.deps.db.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    expect(after).toEqual(before);
  });

  it('user.updated then agent.approved when an admin approves an agent', async () => {
    const agent = await h.registerAgent({ approve: false });
    await h.call('POST', `/api/v1/users/${agent.id}/approve`, { token: admin.accessToken });
    const events = await eventsAbout(agent.id);
    expect(events.map((e) => e.type)).toEqual(['user.registered@1', 'user.updated@1', 'agent.approved@1']);
    expect(events[0]?.data.status).toBe('pending');
    expect(events[1]?.data).toMatchObject({
      userId: agent.id,
      role: 'agent',
      status: 'active',
      regNumber: null,
    });
    const me = await h.call('GET', '/api/v1/auth/me', { token: admin.accessToken });
    expect(events[2]?.data).toEqual({ userId: agent.id, approvedBy: me.json.id });
  });

  it('user.updated alone when an admin rejects an agent', async () => {
    const agent = await h.registerAgent({ approve: false });
    await h.call('POST', `/api/v1/users/${agent.id}/reject`, { token: admin.accessToken });
    const events = await eventsAbout(agent.id);
    expect(events.map((e) => e.type)).toEqual(['user.registered@1', 'user.updated@1']);
    expect(events[1]?.data.status).toBe('rejected');
  });

  it('user.updated and user.disabled when an admin disables a user, and the revocation is persisted', async () => {
    const student = await h.registerStudent();
    const response = await h.call('POST', `/api/v1/users/${student.id}/disable`, {
      token: admin.accessToken,
    });
    expect(response.status).toBe(200);
    const events = await eventsAbout(student.id);
    // The student's sessions end in the same transaction (session.ended), after user.disabled.
    expect(events.map((e) => e.type)).toEqual([
      'user.registered@1',
      'user.updated@1',
      'user.disabled@1',
      'session.ended@1',
    ]);
    expect(events[3]?.data).toMatchObject({ userId: student.id, reason: 'user_disabled' });
    const me = await h.call('GET', '/api/v1/auth/me', { token: admin.accessToken });
    const disabled = events[2]?.data;
    expect(disabled).toEqual({ userId: student.id, disabledBy: me.json.id, disabledAt: expect.any(String) });
    expect(Date.parse(disabled.disabledAt)).toBe(Date.parse(response.json.updatedAt));
    // Another identity replica would load it from here.
    const otherReplica = new UserRevocationList();
    await loadRevocations(h.deps.db, otherReplica);
    const issuedAt = Math.floor(Date.parse(disabled.disabledAt) / 1000) - 1;
    expect(
      otherReplica.isRevoked({ userId: student.id, issuedAt } as Parameters<
        UserRevocationList['isRevoked']
      >[0]),
    ).toBe(true);
  });

  it('nothing when a status change is refused', async () => {
    const me = await h.call('GET', '/api/v1/auth/me', { token: admin.accessToken });
    const before = await eventsAbout(me.json.id);
    expect(
      (await h.call('POST', `/api/v1/users/${me.json.id}/disable`, { token: admin.accessToken })).status,
    ).toBe(409);
    expect(await eventsAbout(me.json.id)).toEqual(before);
  });

  it('user.registered for an admin created by an admin, and for the first admin', async () => {
    const who = uniqueUser('admin');
    const created = await h.call('POST', '/api/v1/users/admins', {
      token: admin.accessToken,
      body: { email: who.email, password: PASSWORD, firstName: 'Second', lastName: 'Admin' },
    });
    expect(created.status).toBe(201);
    expect(await eventsAbout(created.json.id)).toEqual([
      { type: 'user.registered@1', data: expect.objectContaining({ role: 'admin', email: who.email }) },
    ]);
    const first = await h.call('GET', '/api/v1/auth/me', { token: admin.accessToken });
    expect(await eventsAbout(first.json.id)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ email: ADMIN.email, role: 'admin' }) }),
    ]);
  });
});

describe("identity's internal event routes", () => {
  it('has no event inbox and no dead letters: identity consumes no events', async () => {
    expect((await h.call('POST', '/internal/events', { body: {} })).status).toBe(404);
    const signed = await h.call('GET', '/internal/dead-letters?limit=5', {
      headers: {
        [SIGNATURE_HEADER]: signRequest(INTERNAL_SECRET, {
          method: 'GET',
          path: '/internal/dead-letters?limit=5',
          body: '',
        }),
      },
    });
    expect(signed.status).toBe(404);
    const doc = await h.call('GET', '/openapi.json');
    expect(Object.keys(doc.json.paths).filter((path) => path.startsWith('/internal'))).toEqual([]);
  });
});
