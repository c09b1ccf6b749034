import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@bonding/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, signIn, startEdge } from './edge.js';

let edge: Edge;
let token: string;
beforeAll(async () => {
  edge = await startEdge();
  token = (await signIn(edge.baseUrl)).accessToken;
});
afterAll(() => edge.stop());

const me = (headers: Record<string, string> = {}, query = '') =>
  fetch(`${edge.baseUrl}/api/v1/auth/me${query}`, { headers });

async function signed(
  claims: Record<string, unknown>,
  options: { kid?: string; key?: 'issuer' | 'other'; exp?: number } = {},
) {
  const key =
    options.key === 'other'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : createPrivateKey(readFileSync(join(edge.keysDir, `${edge.kid}.pem`)));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'admin', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? edge.kid, typ: 'at+jwt' })
    .setIssuer('http://localhost:3001')
    .setAudience('bonding-platform')
    .setSubject('01900000-0000-7000-8000-000000000000')
    .setJti('j')
    .setIssuedAt(now - 60)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(key);
}

async function expectKong401(response: Response, body: Record<string, string>, wwwAuthenticate: string) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('www-authenticate')).toBe(wwwAuthenticate);
  expect(await response.json()).toEqual(body);
}

describe('the jwt plugin at the edge', () => {
  it('lets a valid token reach the service, with the consumer headers Kong adds', async () => {
    const response = await me({ Authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email: string }).email).toBe('edge.admin@bonding.test');
    expect(response.headers.get('x-kong-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers a missing token with Unauthorized and WWW-Authenticate: Bearer', async () => {
    await expectKong401(await me(), { message: 'Unauthorized' }, 'Bearer');
  });

  it('refuses a malformed token', async () => {
    await expectKong401(
      await me({ Authorization: 'Bearer not.a.jwt' }),
      { message: 'Bad token; invalid JSON' },
      'Bearer error="invalid_token"',
    );
  });

  it('does not find a token without the Bearer scheme', async () => {
    await expectKong401(await me({ Authorization: token }), { message: 'Unauthorized' }, 'Bearer');
  });

  it('refuses a token signed by another key under the same kid', async () => {
    await expectKong401(
      await me({ Authorization: `Bearer ${await signed({}, { key: 'other' })}` }),
      { message: 'Invalid signature' },
      'Bearer error="invalid_token"',
    );
  });

  it('remembers a verified signature only for that exact token: another signature on the same claims fails', async () => {
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
    expect((await me({ Authorization: `Bearer ${token}` })).status).toBe(200);
    await expectKong401(
      await me({ Authorization: `Bearer ${forged}` }),
      { message: 'Invalid signature' },
      'Bearer error="invalid_token"',
    );
  });

  it('still checks the expiry of a token whose signature it verified before', async () => {
    const shortLived = await signed({}, { exp: Math.floor(Date.now() / 1000) + 2 });
    // Past the edge (identity does not know the made-up subject: 404, not the edge's 401).
    expect((await me({ Authorization: `Bearer ${shortLived}` })).status).not.toBe(401);
    await waitFor(async () => (await me({ Authorization: `Bearer ${shortLived}` })).status === 401, {
      timeoutMs: 10_000,
      what: 'the remembered token to expire',
    });
    await expectKong401(
      await me({ Authorization: `Bearer ${shortLived}` }),
      { exp: 'token expired' },
      'Bearer error="invalid_token"',
    );
  });

  it('refuses an expired token', async () => {
    const expired = await signed({}, { exp: Math.floor(Date.now() / 1000) - 5 });
    await expectKong401(
      await me({ Authorization: `Bearer ${expired}` }),
      { exp: 'token expired' },
      'Bearer error="invalid_token"',
    );
  });

  it('refuses a token that lives longer than the maximum expiration', async () => {
    const longLived = await signed({}, { exp: Math.floor(Date.now() / 1000) + 3600 });
    await expectKong401(
      await me({ Authorization: `Bearer ${longLived}` }),
      { exp: 'exceeds maximum allowed expiration' },
      'Bearer error="invalid_token"',
    );
  });

  it('refuses an unknown kid', async () => {
    await expectKong401(
      await me({ Authorization: `Bearer ${await signed({}, { kid: 'retired-key' })}` }),
      { message: "No credentials found for given 'kid'" },
      'Bearer error="invalid_token"',
    );
  });

  it('never reads tokens from the query string', async () => {
    await expectKong401(await me({}, `?jwt=${token}`), { message: 'Unauthorized' }, 'Bearer');
  });

  it('lets public routes through without a token', async () => {
    const jwks = await fetch(`${edge.baseUrl}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    const keys = ((await jwks.json()) as { keys: { kid: string }[] }).keys;
    expect(keys.map((k) => k.kid)).toContain(edge.kid);
  });
});
