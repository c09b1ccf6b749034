import { describe, expect, it } from 'vitest';
import {
  createRouter,
  requireInternalSignature,
  SIGNATURE_HEADER,
  signRequest,
  verifySignature,
} from '../../src/index.js';
import { createTestApp } from '../test-app.js';

const current = 'current-secret-of-the-receiving-service-0001';
const previous = 'previous-secret-of-the-receiving-service-001';
const request = { method: 'POST', path: '/internal/events', body: '{"id":"x"}' };

describe('request signatures', () => {
  it('verify with the secret they were made with', () => {
    expect(verifySignature(signRequest(current, request), request, [current])).toEqual({ ok: true });
  });

  it('accept the previous secret while it rotates, and nothing else', () => {
    expect(verifySignature(signRequest(previous, request), request, [current, previous])).toEqual({
      ok: true,
    });
    expect(
      verifySignature(signRequest('some-other-secret-of-enough-length-xx', request), request, [
        current,
        previous,
      ]),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  it('cover the method, the path and the body', () => {
    const header = signRequest(current, request);
    for (const changed of [
      { ...request, method: 'PUT' },
      { ...request, path: '/internal/dead-letters/replay' },
      { ...request, body: '{"id":"y"}' },
    ]) {
      expect(verifySignature(header, changed, [current])).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('go stale after five minutes either way', () => {
    const now = Date.now();
    const old = signRequest(current, request, now - 301_000);
    const future = signRequest(current, request, now + 301_000);
    expect(verifySignature(old, request, [current], { nowMs: now })).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(future, request, [current], { nowMs: now })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      verifySignature(signRequest(current, request, now - 290_000), request, [current], { nowMs: now }),
    ).toEqual({
      ok: true,
    });
  });

  it('refuse a missing or malformed header, and everything when no secret is configured', () => {
    expect(verifySignature(undefined, request, [current])).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature('v1=abc', request, [current])).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(signRequest(current, request), request, [])).toEqual({
      ok: false,
      reason: 'unconfigured',
    });
  });
});

describe('the internal signature middleware', () => {
  function internalApp() {
    const service = createTestApp();
    const reached: string[] = [];
    service.app.route(
      '/internal',
      createRouter().post('/ping', requireInternalSignature({ secrets: [current] }), async (c) => {
        reached.push(await c.req.text());
        return c.json({ pong: true });
      }),
    );
    return { app: service.app, reached };
  }

  it('lets a signed request through to the handler, body intact', async () => {
    const { app, reached } = internalApp();
    const body = '{"hello":"world"}';
    const response = await app.request('/internal/ping?x=1', {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signRequest(current, { method: 'POST', path: '/internal/ping?x=1', body }),
      },
    });
    expect(response.status).toBe(200);
    expect(reached).toEqual([body]);
  });

  it.each([
    ['no signature', undefined, 'signature_required'],
    [
      'a forged signature',
      signRequest('forged-secret-forged-secret-forged-00', request),
      'signature_invalid',
    ],
    ['a stale signature', signRequest(current, request, Date.now() - 600_000), 'signature_stale'],
  ])('answers %s with 401 problem+json, before the handler', async (_label, header, code) => {
    const { app, reached } = internalApp();
    const response = await app.request('/internal/ping', {
      method: 'POST',
      body: request.body,
      headers: { 'Content-Type': 'application/json', ...(header ? { [SIGNATURE_HEADER]: header } : {}) },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe(code);
    expect(reached).toEqual([]);
  });
});
