import { describe, expect, it } from 'vitest';
import { createTestApp } from './test-app.js';

describe('the service app factory', () => {
  it('generates a request id, echoes it and logs one line per request with the route template', async () => {
    const { app, lines } = createTestApp();
    const response = await app.request('/api/v1/items/42');
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({
      requestId: id,
      method: 'GET',
      route: '/api/v1/items/:id',
      status: 200,
      service: 'kit-test',
    });
    expect(line?.durationMs).toEqual(expect.any(Number));
  });

  it('honours a sane incoming X-Request-ID and replaces an unsafe one', async () => {
    const { app } = createTestApp();
    const kept = await app.request('/api/v1/items/1', { headers: { 'X-Request-ID': 'edge-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-abc.123');
    const replaced = await app.request('/api/v1/items/1', {
      headers: { 'X-Request-ID': 'bad id\twith spaces' },
    });
    expect(replaced.headers.get('x-request-id')).not.toContain('bad');
  });

  it('redacts secrets and the Authorization header from log lines', () => {
    const { logger, lines } = createTestApp();
    logger.info(
      { password: 'hunter2', headers: { authorization: 'Bearer abc' }, body: { refreshToken: 'rt_x' } },
      'x',
    );
    const text = JSON.stringify(lines.at(-1));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('rt_x');
    expect(text).toContain('[redacted]');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const { app } = createTestApp();
    const response = await app.request('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await response.json()) as any).toMatchObject({
      status: 404,
      code: 'route_not_found',
      title: 'Not Found',
    });
  });

  it('maps typed domain errors to their status and code', async () => {
    const { app } = createTestApp();
    const response = await app.request('/api/v1/items/404');
    expect(response.status).toBe(404);
    expect((await response.json()) as any).toMatchObject({ code: 'item_not_found', detail: 'No such item.' });
  });

  it('answers an unexpected error with a 500 that reveals no internals, and logs the cause', async () => {
    const { app, lines } = createTestApp();
    const response = await app.request('/api/v1/items/500', { headers: { 'X-Request-ID': 'req-500' } });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toMatchObject({ code: 'internal_error', requestId: 'req-500' });
    expect(lines.some((l) => l.msg === 'request failed' && l.requestId === 'req-500' && l.err)).toBe(true);
  });

  it('answers validation failures with field-level errors', async () => {
    const { app } = createTestApp();
    const response = await app.request('/api/v1/items/abc');
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.code).toBe('validation_failed');
    expect(body.errors[0].field).toBe('path.id');
  });

  it('refuses bodies over the limit with 413', async () => {
    const { app } = createTestApp({ bodyLimitBytes: 1024 });
    const response = await app.request('/api/v1/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': '5000' },
      body: JSON.stringify({ name: 'x'.repeat(4990) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).code).toBe('payload_too_large');
  });

  it('sets secure headers', async () => {
    const { app } = createTestApp();
    const response = await app.request('/api/v1/items/1');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBeTruthy();
  });

  it('exposes request durations by method, route template and status on /metrics', async () => {
    const { app } = createTestApp();
    await app.request('/api/v1/items/7');
    await app.request('/api/v1/items/8');
    await app.request('/api/v1/unknown/9');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="/api/v1/items/:id",status="200"} 2',
    );
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toContain('/items/7');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('serves an OpenAPI 3.1 document with the bearer scheme registered', async () => {
    const { app } = createTestApp();
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(Object.keys(doc.paths)).toContain('/api/v1/items/{id}');
  });

  it('reports liveness always and readiness from its checks', async () => {
    let reason: string | undefined = 'warming up';
    const { app, health } = createTestApp({ readiness: [{ name: 'cache', check: async () => reason }] });
    expect((await app.request('/livez')).status).toBe(200);
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not_ready', checks: { cache: 'warming up' } });
    reason = undefined;
    expect((await app.request('/readyz')).status).toBe(200);
    health.draining = true;
    expect((await app.request('/readyz')).status).toBe(503);
  });
});
