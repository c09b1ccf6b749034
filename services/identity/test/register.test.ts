import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness, PASSWORD, uniqueUser } from './harness.js';

let h: IdentityHarness;
beforeAll(async () => {
  h = await createIdentityHarness();
});
afterAll(() => h.close());

function studentBody(overrides: Record<string, unknown> = {}) {
  const who = uniqueUser('reg');
  return {
    email: who.email,
    password: PASSWORD,
    firstName: 'Tadala',
    lastName: 'Mwale',
    role: 'student',
    regNumber: who.regNumber,
    ...overrides,
  };
}

const register = (body: unknown, headers?: Record<string, string>) =>
  h.call('POST', '/api/v1/auth/register', { body, ...(headers ? { headers } : {}) });

function fieldsOf(json: { errors?: { field: string }[] }) {
  return (json.errors ?? []).map((error) => error.field).sort();
}

describe('POST /api/v1/auth/register', () => {
  it('registers many students at once without failing any (no deadlock between their inserts)', async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => register(studentBody())));
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(201));
  });

  it('registers an active student and never returns the password or its hash', async () => {
    const body = studentBody();
    const response = await register(body);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      email: body.email,
      role: 'student',
      status: 'active',
      regNumber: body.regNumber,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/users/${response.json.id}`);
    expect(response.text).not.toContain(PASSWORD);
    expect(response.text).not.toContain('argon2');
    expect(Object.keys(response.json)).not.toContain('passwordHash');
  });

  it('registers an agent as pending until an admin approves', async () => {
    const response = await register(studentBody({ role: 'agent', regNumber: undefined }));
    expect(response.status).toBe(201);
    expect(response.json.status).toBe('pending');
  });

  it('stores the password as an argon2id hash with at least m=19456, t=2, p=1', async () => {
    const body = studentBody();
    await register(body);
    const row = await h.deps.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', body.email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('trims and lower-cases the e-mail and treats it as unique regardless of case', async () => {
    const body = studentBody();
    const first = await register({ ...body, email: `  ${body.email.toUpperCase()} ` });
    expect(first.status).toBe(201);
    expect(first.json.email).toBe(body.email);
    const again = await register({ ...studentBody(), email: body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('email_taken');
  });

  it('refuses a registration number that is already taken', async () => {
    const body = studentBody();
    expect((await register(body)).status).toBe(201);
    const again = await register(studentBody({ regNumber: body.regNumber }));
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('reg_number_taken');
  });

  it.each([
    ['a student without a registration number', { regNumber: undefined }, ['body.regNumber']],
    ['an agent with a registration number', { role: 'agent' }, ['body.regNumber']],
    ['the admin role', { role: 'admin' }, ['body.role']],
    ['a malformed e-mail', { email: 'not-an-email' }, ['body.email']],
    ['a password shorter than 10 characters', { password: 'short-pw' }, ['body.password']],
    ['a password longer than 128 characters', { password: 'x'.repeat(129) }, ['body.password']],
    ['a wrong-typed password', { password: 1234567890123 }, ['body.password']],
    ['an empty first name', { firstName: '   ' }, ['body.firstName']],
    ['an unknown field', { nickname: 'tadi' }, ['body.nickname']],
  ])('answers 400 naming the field for %s', async (_name, overrides, fields) => {
    const response = await register(studentBody(overrides));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json.code).toBe('validation_failed');
    expect(fieldsOf(response.json)).toEqual(fields);
  });

  it('names every missing field', async () => {
    const response = await register({});
    expect(response.status).toBe(400);
    expect(fieldsOf(response.json)).toEqual([
      'body.email',
      'body.firstName',
      'body.lastName',
      'body.password',
      'body.role',
    ]);
  });

  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const response = await register('{"email": ');
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('malformed_json');
  });

  it('answers 400 for a body that is not application/json', async () => {
    const response = await register('email=a@b.c', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('unsupported_content_type');
    expect(fieldsOf(response.json)).toEqual(['header.content-type']);
  });

  it('may be called by anyone, signed in or not', async () => {
    const student = await h.registerStudent();
    const response = await h.call('POST', '/api/v1/auth/register', {
      body: studentBody(),
      token: student.accessToken,
    });
    expect(response.status).toBe(201);
  });
});
