import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Edge, repoRoot, signIn, startEdge } from './edge.js';

// Whom the edge counts a request against (#26): a signed-in user by their bearer token, everyone else by
// their address. Students of one campus share one public address, so a per-address limit on signed-in
// traffic made a few hundred of them exhaust it together. Hourly limits of 3, so that a test never
// straddles a window (fixed, UTC-aligned) and every count is exact.

type Plugin = { name: string; tags?: string[]; config?: Record<string, unknown> };
type Route = { name: string; plugins?: Plugin[] };
const kongYml = parse(readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8')) as {
  services: { routes: Route[] }[];
  plugins: Plugin[];
};

describe('kong.yml: whom each route counts against', () => {
  const rateLimiting = (plugins: Plugin[] = []) => plugins.find((p) => p.name === 'rate-limiting');

  it('counts signed-in traffic per user, by the bearer token', () => {
    expect(rateLimiting(kongYml.plugins)).toMatchObject({
      tags: ['limit-per-user'],
      config: { limit_by: 'header', header_name: 'Authorization' },
    });
  });

  it('gives every route without jwt a per-address limit of its own, never the per-user one', () => {
    // Only jwt makes the Authorization header a verified identity; elsewhere a client could send a new
    // made-up header with each request and never be counted twice.
    for (const route of kongYml.services.flatMap((service) => service.routes)) {
      if (route.plugins?.some((plugin) => plugin.name === 'jwt')) continue;
      expect(rateLimiting(route.plugins)?.config, route.name).toMatchObject({ limit_by: 'ip' });
    }
  });
});

describe('rate limits at the local edge, keyed by user or by address', () => {
  let edge: Edge;
  let admin: string;
  let student: string;

  async function register(): Promise<string> {
    const email = `campus-${randomUUID()}@bonding.test`;
    const password = 'a campus passphrase';
    const response = await fetch(`${edge.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email,
        password,
        firstName: 'Campus',
        lastName: 'Student',
        role: 'student',
        regNumber: `CAMPUS/${randomUUID().slice(0, 8)}`,
      }),
    });
    expect(response.status, await response.text()).toBe(201);
    return (await signIn(edge.baseUrl, email, password)).accessToken;
  }

  const me = (token: string) =>
    fetch(`${edge.baseUrl}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    edge = await startEdge({
      rateLimits: {
        'limit-per-user': { hour: 3 },
        'limit-per-address': { hour: 3 },
        'limit-sign-in': { minute: 1000 },
      },
    });
    admin = (await signIn(edge.baseUrl)).accessToken;
    student = await register();
  }, 60_000);
  afterAll(() => edge.stop());

  it("does not let one user's burst limit another user behind the same address", async () => {
    const burst = await Promise.all(Array.from({ length: 10 }, () => me(admin)));
    const statuses = burst.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, ...Array(7).fill(429)]);
    const limited = burst.find((response) => response.status === 429);
    expect(limited?.headers.get('x-ratelimit-limit-hour')).toBe('3');

    // Same address (127.0.0.1), another user: a full allowance of their own.
    const other = await me(student);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('limits each user independently, at the same per-user limit', async () => {
    // The student has used 1 of 3 above; the admin all 3.
    expect((await me(student)).status).toBe(200);
    expect((await me(student)).status).toBe(200);
    const spent = await me(student);
    expect(spent.status).toBe(429);
    expect(spent.headers.get('retry-after')).toBeTruthy();
    expect((await me(admin)).status).toBe(429);
  });

  it('refuses a forged token at jwt, before it is counted against anyone', async () => {
    const forged = await me(`${admin.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('ratelimit-limit')).toBeNull();
  });

  it('limits an anonymous flood from one address, whatever Authorization it makes up', async () => {
    // No jwt on this route, so a made-up token must not buy a new allowance: counted by address.
    const flood = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${edge.baseUrl}/.well-known/jwks.json`, {
          headers: { Authorization: `Bearer ${randomUUID()}` },
        }),
      ),
    );
    expect(flood.map((response) => response.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    const refused = flood.find((response) => response.status === 429);
    expect(await refused?.json()).toMatchObject({ message: 'API rate limit exceeded' });
  });

  it('keeps the stricter per-address limit on account-security routes, even with a token', async () => {
    const fresh = await register();
    const response = await fetch(`${edge.baseUrl}/api/v1/auth/mfa`, {
      headers: { Authorization: `Bearer ${fresh}` },
    });
    expect(response.status).toBe(200);
    // kong.yml's limit-account-security, not the per-user hourly 3 of this test.
    expect(response.headers.get('x-ratelimit-limit-minute')).toBe('30');
    expect(response.headers.get('x-ratelimit-limit-hour')).toBe('300');
  });
});
