import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
let tokens: { student: string; agent: string; admin: string };
beforeAll(async () => {
  h = await createIdentityHarness();
  tokens = {
    student: (await h.registerStudent()).accessToken,
    agent: (await h.registerAgent()).accessToken,
    admin: (await h.adminLogin()).accessToken,
  };
});
afterAll(() => h.close());

const someId = '01900000-0000-7000-8000-000000000000';
const adminRoutes: [string, string, unknown?][] = [
  ['GET', '/api/v1/users'],
  ['GET', `/api/v1/users/${someId}`],
  [
    'POST',
    '/api/v1/users/admins',
    { email: 'x@example.test', password: PASSWORD, firstName: 'A', lastName: 'B' },
  ],
  ['POST', `/api/v1/users/${someId}/approve`],
  ['POST', `/api/v1/users/${someId}/reject`],
  ['POST', `/api/v1/users/${someId}/disable`],
];

describe('who may call the admin routes', () => {
  it.each(adminRoutes)('%s %s: anonymous 401, student and agent 403', async (method, path, body) => {
    const anonymous = await h.call(method, path, { body });
    expect(anonymous.status).toBe(401);
    for (const role of ['student', 'agent'] as const) {
      const response = await h.call(method, path, { body, token: tokens[role] });
      expect(response.status, role).toBe(403);
      expect(response.json.code).toBe('role_not_allowed');
    }
  });
});

async function auditActions(targetId: string) {
  const rows = await h.deps.db
    .selectFrom('audit_log')
    .select(['action', 'actor_id'])
    .where('target_id', '=', targetId)
    .execute();
  return rows.map((row) => row.action);
}

describe('GET /api/v1/users', () => {
  it('lists users newest first and pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await h.registerStudent();
    const first = await h.call('GET', '/api/v1/users?limit=2', { token: tokens.admin });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await h.call('GET', `/api/v1/users?limit=2&cursor=${first.json.nextCursor}`, {
      token: tokens.admin,
    });
    expect(second.json.items).toHaveLength(2);
    const ids = [...first.json.items, ...second.json.items].map((u: { id: string }) => u.id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('filters by role and status', async () => {
    await h.registerAgent({ approve: false });
    const response = await h.call('GET', '/api/v1/users?role=agent&status=pending&limit=100', {
      token: tokens.admin,
    });
    expect(response.status).toBe(200);
    expect(response.json.items.length).toBeGreaterThan(0);
    for (const user of response.json.items) expect(user).toMatchObject({ role: 'agent', status: 'pending' });
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['role=superuser', 'query.role'],
    ['cursor=%%%', 'query.cursor'],
  ])('answers 400 for %s', async (query, field) => {
    const response = await h.call('GET', `/api/v1/users?${query}`, { token: tokens.admin });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe(field);
  });
});

describe('GET /api/v1/users/{id}', () => {
  it('returns one user', async () => {
    const student = await h.registerStudent();
    const response = await h.call('GET', `/api/v1/users/${student.id}`, { token: tokens.admin });
    expect(response.status).toBe(200);
    expect(response.json.email).toBe(student.email);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await h.call('GET', `/api/v1/users/${someId}`, { token: tokens.admin })).status).toBe(404);
    const malformed = await h.call('GET', '/api/v1/users/not-a-uuid', { token: tokens.admin });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].field).toBe('path.id');
  });
});

describe('POST /api/v1/users/admins', () => {
  it('creates an active admin who can sign in, and audits it', async () => {
    const who = uniqueUser('admin');
    const response = await h.call('POST', '/api/v1/users/admins', {
      token: tokens.admin,
      body: { email: who.email, password: PASSWORD, firstName: 'Second', lastName: 'Admin' },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ role: 'admin', status: 'active' });
    await h.login(who.email, PASSWORD);
    expect(await auditActions(response.json.id)).toEqual(['user.admin_created']);
  });

  it('refuses a taken e-mail and bad input', async () => {
    const student = await h.registerStudent();
    const taken = await h.call('POST', '/api/v1/users/admins', {
      token: tokens.admin,
      body: { email: student.email, password: PASSWORD, firstName: 'A', lastName: 'B' },
    });
    expect(taken.status).toBe(409);
    const bad = await h.call('POST', '/api/v1/users/admins', {
      token: tokens.admin,
      body: { email: 'nope' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field)).toContain('body.email');
  });
});

describe('approving, rejecting and disabling', () => {
  it('approves a pending agent, who can then sign in; the action is audited', async () => {
    const agent = await h.registerAgent({ approve: false });
    const response = await h.call('POST', `/api/v1/users/${agent.id}/approve`, { token: tokens.admin });
    expect(response.status).toBe(200);
    expect(response.json.status).toBe('active');
    await h.login(agent.email, PASSWORD);
    expect(await auditActions(agent.id)).toEqual(['user.approve']);
  });

  it('rejects a pending agent with a reason', async () => {
    const agent = await h.registerAgent({ approve: false });
    const response = await h.call('POST', `/api/v1/users/${agent.id}/reject`, {
      token: tokens.admin,
      body: { reason: 'Not a staff member' },
    });
    expect(response.status).toBe(200);
    expect(response.json.status).toBe('rejected');
    const audit = await h.deps.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_id', '=', agent.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details as string)).toMatchObject({
      from: 'pending',
      to: 'rejected',
      reason: 'Not a staff member',
    });
  });

  it('answers 409 when approving someone who is not a pending agent', async () => {
    const student = await h.registerStudent();
    const response = await h.call('POST', `/api/v1/users/${student.id}/approve`, { token: tokens.admin });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('invalid_status_transition');
  });

  it('disables a user: sign-in, refresh and tokens already issued are all refused', async () => {
    const student = await h.registerStudent();
    expect((await h.call('GET', '/api/v1/auth/me', { token: student.accessToken })).status).toBe(200);
    // Usually within the second the token was issued in: those tokens must be refused too.
    const response = await h.call('POST', `/api/v1/users/${student.id}/disable`, { token: tokens.admin });
    expect(response.status).toBe(200);
    expect(response.json.status).toBe('disabled');
    const me = await h.call('GET', '/api/v1/auth/me', { token: student.accessToken });
    expect(me.status).toBe(401);
    expect(me.json.code).toBe('token_revoked');
    expect(
      (await h.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: student.refreshToken } })).status,
    ).toBe(401);
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { email: student.email, password: PASSWORD } }))
        .status,
    ).toBe(403);
    expect(await auditActions(student.id)).toEqual(['user.disable']);
  });

  it('does not let an admin disable themself', async () => {
    const me = await h.call('GET', '/api/v1/auth/me', { token: tokens.admin });
    const response = await h.call('POST', `/api/v1/users/${me.json.id}/disable`, { token: tokens.admin });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('cannot_disable_self');
  });

  it('answers 404 for an unknown user and 400 for an unknown body field', async () => {
    expect((await h.call('POST', `/api/v1/users/${someId}/disable`, { token: tokens.admin })).status).toBe(
      404,
    );
    const student = await h.registerStudent();
    const response = await h.call('POST', `/api/v1/users/${student.id}/disable`, {
      token: tokens.admin,
      body: { why: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe('body.why');
  });
});
