import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudentsHarness, guardianBody, personalBody, type StudentsHarness } from './harness.js';

let h: StudentsHarness;
beforeAll(async () => {
  h = await createStudentsHarness();
});
afterAll(() => h.close());

describe('GET /api/v1/students/{studentId}', () => {
  it('lets staff read any file, and logs every read', async () => {
    const s = await h.newStudent();
    await h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body: personalBody() });
    const agentId = randomUUID();
    const response = await h.call('GET', `/api/v1/students/${s.id}`, {
      token: await h.staffToken('agent', agentId),
    });
    expect(response.status).toBe(200);
    expect(response.json.personal.nationalIdMasked).toMatch(/^•+/);
    const log = await h.deps.db
      .selectFrom('file_access_log')
      .selectAll()
      .where('student_id', '=', s.id)
      .execute();
    expect(log).toEqual([expect.objectContaining({ staff_id: agentId, staff_role: 'agent' })]);
  });

  it("shows the guardians' e-mail addresses (optional, lower-cased), which loans reads to name guarantors", async () => {
    const s = await h.newStudent();
    const withEmail = await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody({ email: 'Grace.Banda@Example.test' }),
    });
    expect(withEmail.status).toBe(201);
    await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody({ firstName: 'Ruth' }),
    });
    for (const token of [s.token, await h.staffToken('agent', randomUUID())]) {
      const file = await h.call('GET', `/api/v1/students/${s.id}`, { token });
      expect(file.json.guardians).toEqual([
        expect.objectContaining({
          id: withEmail.json.id,
          email: 'grace.banda@example.test',
          homeVillage: 'Chingale',
        }),
        expect.objectContaining({ firstName: 'Ruth', email: null }),
      ]);
    }
  });

  it("gives a student their own file, and 404 for anyone else's", async () => {
    const s = await h.newStudent();
    const other = await h.newStudent();
    expect((await h.call('GET', `/api/v1/students/${s.id}`, { token: s.token })).status).toBe(200);
    const response = await h.call('GET', `/api/v1/students/${other.id}`, { token: s.token });
    expect(response.status).toBe(404);
    expect(
      await h.deps.db.selectFrom('file_access_log').selectAll().where('student_id', '=', other.id).execute(),
    ).toEqual([]);
  });

  it('answers 404 for an unknown student, 400 for a malformed id, 401 without a token', async () => {
    const admin = await h.staffToken('admin');
    expect((await h.call('GET', `/api/v1/students/${randomUUID()}`, { token: admin })).status).toBe(404);
    expect((await h.call('GET', '/api/v1/students/abc', { token: admin })).status).toBe(400);
    expect((await h.call('GET', `/api/v1/students/${randomUUID()}`)).status).toBe(401);
  });
});

describe('GET /api/v1/students', () => {
  it('finds students by the start of a name or registration number, paged', async () => {
    const unique = `Zz${Date.now().toString(36)}`;
    const a = await h.newStudent({ firstName: unique, lastName: 'Phiri' });
    const b = await h.newStudent({ firstName: 'Kondwani', lastName: `${unique}son` });
    const token = await h.staffToken('agent');
    const first = await h.call('GET', `/api/v1/students?q=${unique.toLowerCase()}&limit=1`, { token });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(1);
    const second = await h.call(
      'GET',
      `/api/v1/students?q=${unique}&limit=1&cursor=${first.json.nextCursor}`,
      { token },
    );
    const found = [...first.json.items, ...second.json.items]
      .map((s: { studentId: string }) => s.studentId)
      .sort();
    expect(found).toEqual([a.id, b.id].sort());
    expect(second.json.nextCursor).toBeNull();
  });

  it('treats % and _ in the query as plain characters', async () => {
    const response = await h.call('GET', '/api/v1/students?q=%25', { token: await h.staffToken('admin') });
    expect(response.json.items).toEqual([]);
  });

  it('is for staff only', async () => {
    const s = await h.newStudent();
    expect((await h.call('GET', '/api/v1/students', { token: s.token })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/students')).status).toBe(401);
  });
});
