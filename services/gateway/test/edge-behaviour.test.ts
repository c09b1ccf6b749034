import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, signIn, startEdge } from './edge.js';

let edge: Edge;
let accessToken: string;
beforeAll(async () => {
  edge = await startEdge({
    rateLimits: {
      'limit-per-user': { second: 1000, minute: 60000 },
      'limit-per-address': { second: 1000, minute: 60000 },
      'limit-sign-in': { minute: 3 },
    },
  });
  // Signed in before the sign-in limit is spent by the test that exhausts it.
  accessToken = (await signIn(edge.baseUrl)).accessToken;
});
afterAll(() => edge.stop());

/** A raw request, so the path reaches the gateway exactly as written (fetch would normalise it). */
function raw(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(edge.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('rate limiting at the edge', () => {
  it('answers 429 after the sign-in limit with Kong headers, and counts only admitted requests', async () => {
    const attempt = () =>
      fetch(`${edge.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password' }),
      });
    const first = await attempt();
    expect(first.status).toBe(401);
    expect(first.headers.get('x-ratelimit-limit-minute')).toBe('3');
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    // beforeAll's sign-in and this attempt were counted: one left.
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining-minute')).toBe('0');
    const reset = Number(limited.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(limited.headers.get('retry-after')).toBe(String(reset));
    const body = await limited.text();
    expect(body).toMatch(
      /^\{\n {2}"message":"API rate limit exceeded",\n {2}"request_id":"[0-9a-f]{32}"\n\}$/,
    );
    // The edge refused it, but the correlation id and CORS headers still apply (header phase).
    expect(limited.headers.get('x-request-id')).toBeTruthy();
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('request size and ids', () => {
  it('refuses a body over the limit with 413 in Kong format', async () => {
    const response = await fetch(`${edge.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toBe('Request size limit exceeded');
  });

  it('generates an X-Request-ID, echoes it, and the service logs the same id', async () => {
    const response = await fetch(`${edge.baseUrl}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id') as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = JSON.parse(await edge.identity.waitForLine(`"requestId":"${id}"`));
    expect(line).toMatchObject({ route: '/api/v1/auth/me', status: 200 });
  });

  it('keeps an X-Request-ID the client sent', async () => {
    const response = await fetch(`${edge.baseUrl}/.well-known/jwks.json`, {
      headers: { 'X-Request-ID': 'client-chosen-id' },
    });
    expect(response.headers.get('x-request-id')).toBe('client-chosen-id');
  });
});

describe('routing', () => {
  it('answers unknown paths with Kong 404, in the format the client accepts', async () => {
    const json = await fetch(`${edge.baseUrl}/api/v1/nowhere`);
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await json.json()) as { message: string }).message).toBe('no Route matched with those values');
    const text = await fetch(`${edge.baseUrl}/api/v1/nowhere`, { headers: { Accept: 'text/plain' } });
    expect(await text.text()).toMatch(/^no Route matched with those values\nrequest_id: [0-9a-f]{32}\n$/);
  });

  it('treats methods as part of the route: GET on a POST-only path is no route', async () => {
    expect((await fetch(`${edge.baseUrl}/api/v1/auth/login`)).status).toBe(404);
  });

  it.each(['/internal/events', '/metrics', '/livez', '/readyz'])('never routes %s', async (path) => {
    const response = await raw(path);
    expect(response.status).toBe(404);
    expect(response.body).toContain('no Route matched');
  });

  it('normalises the path before matching, so dot segments cannot reach another route', async () => {
    // Resolves to /api/v1/users (admin, jwt) — so it must be refused for want of a token, not bypass it.
    const sneaky = await raw('/.well-known/../api/v1/users');
    expect(sneaky.status).toBe(401);
    const encoded = await raw('/.well-known/%2e%2e/api/v1/users');
    expect(encoded.status).toBe(401);
    const doubled = await raw('//api//v1/auth//me');
    expect(doubled.status).toBe(401);
  });

  it('answers CORS preflights at the edge with 200 and no token', async () => {
    const response = await fetch(`${edge.baseUrl}/api/v1/users`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
  });
});

describe('edge metrics', () => {
  it("exports Kong's per-route status and latency series on the status port", async () => {
    await fetch(`${edge.baseUrl}/.well-known/jwks.json`);
    const text = await (await fetch(`${edge.statusUrl}/metrics`)).text();
    expect(text).toMatch(
      /kong_http_requests_total\{[^}]*service="identity",route="identity-jwks",code="200",source="service"/,
    );
    expect(text).toContain('kong_request_latency_ms_bucket');
  });
});
