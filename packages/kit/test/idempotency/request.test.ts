import { describe, expect, it } from 'vitest';
import { judgeExisting } from '../../src/idempotency/request.js';
import { isValidIdempotencyKey, requestFingerprint } from '../../src/index.js';

describe('idempotency rules', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const record = (overrides = {}) => ({
    request_hash: 'h',
    state: 'in_flight' as const,
    locked_until: new Date(now.getTime() + 1),
    ...overrides,
  });

  it('judges a known key: another request is reused, finished is replayed, running is in progress', () => {
    expect(judgeExisting(record({ state: 'completed' }), 'other', now)).toBe('reused');
    expect(judgeExisting(record(), 'other', now)).toBe('reused');
    expect(judgeExisting(record({ state: 'completed' }), 'h', now)).toBe('replay');
    expect(judgeExisting(record(), 'h', now)).toBe('in_progress');
    expect(judgeExisting(record({ locked_until: now }), 'h', now)).toBe('abandoned');
  });

  it('fingerprints method, path and the exact body', () => {
    const base = requestFingerprint('POST', '/a', '{"x":1}');
    expect(requestFingerprint('post', '/a', '{"x":1}')).toBe(base);
    expect(requestFingerprint('POST', '/b', '{"x":1}')).not.toBe(base);
    expect(requestFingerprint('POST', '/a', '{"x":1.0}')).not.toBe(base);
    expect(requestFingerprint('POST', '/a?x=1', '{"x":1}')).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts printable keys of 1–255 characters', () => {
    expect(isValidIdempotencyKey('0190a7c2-7b1e-7c3a-9b1d-3f2a1c5e8d90')).toBe(true);
    expect(isValidIdempotencyKey('a'.repeat(255))).toBe(true);
    expect(isValidIdempotencyKey('a'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('a b')).toBe(false);
    expect(isValidIdempotencyKey('naïve')).toBe(false);
  });
});
