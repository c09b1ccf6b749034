import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, type IdentityHarness } from './harness.js';

let h: IdentityHarness;
let adminToken: string;
beforeAll(async () => {
  h = await createIdentityHarness();
  adminToken = (await h.adminLogin()).accessToken;
});
afterAll(() => h.close());

const someId = '01900000-0000-7000-8000-000000000000';
/** Every identity route that takes a JSON body, with whether it needs a token (the admin's serves). */
const jsonRoutes: [string, boolean][] = [
  ['/api/v1/auth/register', false],
  ['/api/v1/auth/login', false],
  ['/api/v1/auth/refresh', false],
  ['/api/v1/auth/login/mfa', false],
  ['/api/v1/auth/email', true],
  ['/api/v1/auth/email/confirm', true],
  ['/api/v1/auth/mfa/totp/confirm', true],
  ['/api/v1/auth/mfa/totp/disable', true],
  ['/api/v1/auth/mfa/recovery-codes', true],
  ['/api/v1/users/admins', true],
  [`/api/v1/users/${someId}/approve`, true],
  [`/api/v1/users/${someId}/reject`, true],
  [`/api/v1/users/${someId}/disable`, true],
];

describe.each(jsonRoutes)('POST %s', (path, needsAdmin) => {
  const auth = () => (needsAdmin ? { token: adminToken } : {});

  it('answers 400 malformed_json for a broken JSON body', async () => {
    const response = await h.call('POST', path, { body: '{"email": "a@b.c",', ...auth() });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json.code).toBe('malformed_json');
  });

  it('answers 400 naming the content type for a body that is not JSON', async () => {
    const response = await h.call('POST', path, {
      body: '<x/>',
      headers: { 'Content-Type': 'application/xml' },
      ...auth(),
    });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('unsupported_content_type');
    expect(response.json.errors[0].field).toBe('header.content-type');
  });

  it('answers 400 naming an unknown field', async () => {
    const response = await h.call('POST', path, { body: { surprise: true }, ...auth() });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toContain('body.surprise');
  });
});
