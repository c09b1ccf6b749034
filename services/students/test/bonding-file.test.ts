import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bankBody,
  createStudentsHarness,
  guardianBody,
  personalBody,
  type StudentsHarness,
} from './harness.js';

let h: StudentsHarness;
beforeAll(async () => {
  h = await createStudentsHarness();
});
afterAll(() => h.close());

const fields = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();

describe('personal details', () => {
  it('files them, showing the national ID masked', async () => {
    const s = await h.newStudent();
    const body = personalBody();
    const response = await h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body });
    expect(response.status).toBe(200);
    expect(response.json.nationalIdMasked).toMatch(new RegExp(`^•+${body.nationalId.slice(-4)}$`));
    expect(response.text).not.toContain(body.nationalId);
    expect(response.headers.get('etag')).toBe('"v1"');
    const read = await h.call('GET', '/api/v1/students/me/personal', { token: s.token });
    expect(read.json).toMatchObject({ firstName: 'Chisomo', dateOfBirth: '2004-03-17', yearOfStudy: 2 });
  });

  it('never stores the national ID in clear', async () => {
    const s = await h.newStudent();
    const body = personalBody();
    await h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body });
    const row = await h.deps.db
      .selectFrom('personal_details')
      .selectAll()
      .where('student_id', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(body.nationalId);
    expect(row.national_id_sealed).toMatch(/^k1:/);
  });

  it('replaces them only with the current ETag (428 without, 412 stale)', async () => {
    const s = await h.newStudent();
    const body = personalBody();
    await h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body });
    const without = await h.call('PUT', '/api/v1/students/me/personal', {
      token: s.token,
      body: { ...body, yearOfStudy: 3 },
    });
    expect(without.status).toBe(428);
    const ok = await h.call('PUT', '/api/v1/students/me/personal', {
      token: s.token,
      body: { ...body, yearOfStudy: 3 },
      headers: { 'If-Match': '"v1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.yearOfStudy).toBe(3);
    const stale = await h.call('PUT', '/api/v1/students/me/personal', {
      token: s.token,
      body,
      headers: { 'If-Match': '"v1"' },
    });
    expect(stale.status).toBe(412);
  });

  it('keeps national IDs unique across students, whatever their spacing or case', async () => {
    const first = await h.newStudent();
    const second = await h.newStudent();
    const body = personalBody();
    await h.call('PUT', '/api/v1/students/me/personal', { token: first.token, body });
    const spaced = `${body.nationalId.slice(0, 4).toLowerCase()} ${body.nationalId.slice(4)}`;
    const response = await h.call('PUT', '/api/v1/students/me/personal', {
      token: second.token,
      body: { ...body, nationalId: spaced },
    });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('national_id_taken');
  });

  it.each([
    ['a malformed national ID', { nationalId: 'ABC' }, ['body.nationalId']],
    ['a phone not in E.164', { phone: '0991234567' }, ['body.phone']],
    ['an impossible date', { dateOfBirth: '2004-02-30' }, ['body.dateOfBirth']],
    ['an unknown gender', { gender: 'x' }, ['body.gender']],
    ['a fractional year of study', { yearOfStudy: 2.5 }, ['body.yearOfStudy']],
    ['an unknown field', { nickname: 'Chi' }, ['body.nickname']],
  ])('answers 400 naming the field for %s', async (_name, overrides, expected) => {
    const s = await h.newStudent();
    const response = await h.call('PUT', '/api/v1/students/me/personal', {
      token: s.token,
      body: personalBody(overrides),
    });
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(expected);
  });

  it('answers 404 before anything is filed', async () => {
    const s = await h.newStudent();
    expect((await h.call('GET', '/api/v1/students/me/personal', { token: s.token })).status).toBe(404);
  });
});

describe('guardians', () => {
  it('makes the first guardian primary and keeps exactly one primary', async () => {
    const s = await h.newStudent();
    const first = await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody(),
    });
    expect(first.status).toBe(201);
    expect(first.json.primary).toBe(true);
    const second = await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody({ firstName: 'John', relation: 'father', primary: true }),
    });
    expect(second.json.primary).toBe(true);
    const list = await h.call('GET', '/api/v1/students/me/guardians', { token: s.token });
    expect(
      list.json.items.filter((g: { primary: boolean }) => g.primary).map((g: { id: string }) => g.id),
    ).toEqual([second.json.id]);
    await h.call('DELETE', `/api/v1/students/me/guardians/${second.json.id}`, { token: s.token });
    const after = await h.call('GET', '/api/v1/students/me/guardians', { token: s.token });
    expect(after.json.items).toEqual([expect.objectContaining({ id: first.json.id, primary: true })]);
  });

  it('keeps one primary when two are added at once', async () => {
    const s = await h.newStudent();
    await Promise.all(
      [1, 2, 3].map((n) =>
        h.call('POST', '/api/v1/students/me/guardians', {
          token: s.token,
          body: guardianBody({ firstName: `G${n}`, primary: true }),
        }),
      ),
    );
    const list = await h.call('GET', '/api/v1/students/me/guardians', { token: s.token });
    expect(list.json.items).toHaveLength(3);
    expect(list.json.items.filter((g: { primary: boolean }) => g.primary)).toHaveLength(1);
  });

  it("answers 404 for another student's guardian", async () => {
    const owner = await h.newStudent();
    const other = await h.newStudent();
    const guardian = await h.call('POST', '/api/v1/students/me/guardians', {
      token: owner.token,
      body: guardianBody(),
    });
    const path = `/api/v1/students/me/guardians/${guardian.json.id}`;
    expect((await h.call('GET', path, { token: other.token })).status).toBe(404);
    expect((await h.call('DELETE', path, { token: other.token })).status).toBe(404);
    expect(
      (
        await h.call('PUT', path, {
          token: other.token,
          body: guardianBody(),
          headers: { 'If-Match': '"v1"' },
        })
      ).status,
    ).toBe(404);
  });

  it('replaces with If-Match and refuses bad input', async () => {
    const s = await h.newStudent();
    const guardian = await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody(),
    });
    const path = `/api/v1/students/me/guardians/${guardian.json.id}`;
    const replaced = await h.call('PUT', path, {
      token: s.token,
      body: guardianBody({ occupation: 'Nurse' }),
      headers: { 'If-Match': '"v1"' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ occupation: 'Nurse', version: 2, primary: true });
    expect((await h.call('PUT', path, { token: s.token, body: guardianBody() })).status).toBe(428);
    const bad = await h.call('POST', '/api/v1/students/me/guardians', {
      token: s.token,
      body: guardianBody({ relation: 'uncle', email: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(fields(bad.json)).toEqual(['body.email', 'body.relation']);
  });
});

describe('bank accounts', () => {
  it('masks the number, never stores it in clear, and makes the first primary', async () => {
    const s = await h.newStudent();
    const body = bankBody();
    const response = await h.call('POST', '/api/v1/students/me/bank-accounts', { token: s.token, body });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      primary: true,
      accountNumberMasked: expect.stringMatching(new RegExp(`${body.accountNumber.slice(-4)}$`)),
    });
    expect(response.text).not.toContain(body.accountNumber);
    const one = await h.call('GET', `/api/v1/students/me/bank-accounts/${response.json.id}`, {
      token: s.token,
    });
    expect(one.status).toBe(200);
    expect(one.headers.get('ETag')).toBe('"v1"');
    expect(one.json).toEqual(response.json);
    const other = await h.newStudent();
    const path = `/api/v1/students/me/bank-accounts/${response.json.id}`;
    expect((await h.call('GET', path, { token: other.token })).status).toBe(404);
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT * FROM bank_accounts WHERE student_id = ${s.id}`.execute(h.deps.db);
    expect(JSON.stringify(rows)).not.toContain(body.accountNumber);
  });

  it('detects the same account filed twice, even written differently', async () => {
    const first = await h.newStudent();
    const second = await h.newStudent();
    const body = bankBody();
    await h.call('POST', '/api/v1/students/me/bank-accounts', { token: first.token, body });
    const spaced = `${body.accountNumber.slice(0, 4)} ${body.accountNumber.slice(4)}`;
    const again = await h.call('POST', '/api/v1/students/me/bank-accounts', {
      token: second.token,
      body: { ...body, bankName: ' national bank of  MALAWI', accountNumber: spaced },
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('bank_account_already_filed');
  });

  it('moves the primary flag and promotes the oldest when the primary is removed', async () => {
    const s = await h.newStudent();
    const a = await h.call('POST', '/api/v1/students/me/bank-accounts', { token: s.token, body: bankBody() });
    const b = await h.call('POST', '/api/v1/students/me/bank-accounts', {
      token: s.token,
      body: bankBody({ primary: true }),
    });
    expect(b.json.primary).toBe(true);
    await h.call('DELETE', `/api/v1/students/me/bank-accounts/${b.json.id}`, { token: s.token });
    const list = await h.call('GET', '/api/v1/students/me/bank-accounts', { token: s.token });
    expect(list.json.items).toEqual([expect.objectContaining({ id: a.json.id, primary: true })]);
  });

  it('refuses a malformed account number', async () => {
    const s = await h.newStudent();
    const response = await h.call('POST', '/api/v1/students/me/bank-accounts', {
      token: s.token,
      body: bankBody({ accountNumber: '12ab' }),
    });
    expect(response.status).toBe(400);
    expect(fields(response.json)).toEqual(['body.accountNumber']);
  });
});

describe('GET /api/v1/students/me', () => {
  it('reports completeness as the file fills in', async () => {
    const s = await h.newStudent();
    const file = () => h.call('GET', '/api/v1/students/me', { token: s.token });
    expect((await file()).json.completeness).toEqual({
      personalDetails: false,
      guardian: false,
      primaryBankAccount: false,
      complete: false,
    });
    await h.call('PUT', '/api/v1/students/me/personal', { token: s.token, body: personalBody() });
    await h.call('POST', '/api/v1/students/me/guardians', { token: s.token, body: guardianBody() });
    expect((await file()).json.completeness.complete).toBe(false);
    await h.call('POST', '/api/v1/students/me/bank-accounts', { token: s.token, body: bankBody() });
    const complete = await file();
    expect(complete.json.completeness).toEqual({
      personalDetails: true,
      guardian: true,
      primaryBankAccount: true,
      complete: true,
    });
    expect(complete.json.student).toMatchObject({ studentId: s.id, firstName: 'Chisomo' });
  });

  it('is for students only', async () => {
    expect((await h.call('GET', '/api/v1/students/me')).status).toBe(401);
    expect((await h.call('GET', '/api/v1/students/me', { token: await h.staffToken('agent') })).status).toBe(
      403,
    );
    expect((await h.call('GET', '/api/v1/students/me', { token: await h.staffToken('admin') })).status).toBe(
      403,
    );
  });
});
