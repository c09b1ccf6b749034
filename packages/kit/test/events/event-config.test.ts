import { describe, expect, it } from 'vitest';
import {
  parseConfig,
  parseSubscriptions,
  retryDelayMs,
  eventConfigSchema as schema,
} from '../../src/index.js';

const secret = 'x'.repeat(40);

describe('EVENT_SUBSCRIPTIONS', () => {
  it('parses comma-separated patterns, a filter on one field of the data included', () => {
    expect(
      parseConfig(schema, {
        EVENT_SUBSCRIPTIONS: 'user.disabled, transfer.completed?purpose=disbursement,loan.*',
      }).EVENT_SUBSCRIPTIONS,
    ).toEqual(['user.disabled', 'transfer.completed?purpose=disbursement', 'loan.*']);
  });

  it('is empty when unset: the service consumes nothing', () => {
    expect(parseConfig(schema, {}).EVENT_SUBSCRIPTIONS).toEqual([]);
  });

  it.each([
    ['user.registerd', /matches no known event type/],
    ['transfer.completed?purpose', /not type\?field=value/],
    ['transfer.completed?purpse=disbursement', /has no field "purpse"/],
    // Every user.* event must carry the field: user.registered has no loanId.
    ['user.*?loanId=x', /has no field "loanId"/],
  ])('refuses %s', (value, message) => {
    expect(() => parseSubscriptions(value)).toThrow(message);
  });

  it('takes the NATS settings, and refuses a stream name that is not one', () => {
    const config = parseConfig(schema, { NATS_STREAM: 'T_1', NATS_SUBJECT_PREFIX: 't1' });
    expect([config.NATS_URL, config.NATS_STREAM, config.NATS_SUBJECT_PREFIX]).toEqual([
      'nats://127.0.0.1:4222',
      'T_1',
      't1',
    ]);
    expect(() => parseConfig(schema, { NATS_STREAM: 'a.b' })).toThrow(/NATS_STREAM/);
  });
});

describe('internal secrets', () => {
  it('accept at most two, each at least 32 characters, and never echo them in errors', () => {
    expect(
      parseConfig(schema, { INTERNAL_SECRETS: `${secret}, ${'y'.repeat(32)}` }).INTERNAL_SECRETS,
    ).toHaveLength(2);
    const tooShort = () => parseConfig(schema, { INTERNAL_SECRETS: 'short-secret' });
    expect(tooShort).toThrow(/INTERNAL_SECRETS: secret 1 is shorter than 32 characters/);
    expect(tooShort).not.toThrow(/short-secret/);
    expect(() => parseConfig(schema, { INTERNAL_SECRETS: [secret, secret, secret].join(',') })).toThrow(
      /at most two/,
    );
    expect(() => parseConfig(schema, { INTERNAL_PEER_SECRETS: `ledger=${'z'.repeat(10)}` })).toThrow(
      /the secret of ledger is shorter/,
    );
  });

  it('keep = signs inside a peer secret (base64 padding)', () => {
    const padded = `${'a'.repeat(40)}==`;
    expect(parseConfig(schema, { INTERNAL_PEER_SECRETS: `ledger=${padded}` }).INTERNAL_PEER_SECRETS).toEqual({
      ledger: padded,
    });
  });
});

describe('retry backoff', () => {
  const settings = { baseMs: 1000, maxMs: 60_000 };

  it('doubles with each attempt up to the cap', () => {
    const highest = (attempts: number) => retryDelayMs(attempts, settings, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(highest)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(highest(500)).toBe(60_000);
  });

  it('jitters between half the step and the full step', () => {
    expect(retryDelayMs(3, settings, () => 0)).toBe(2000);
    expect(retryDelayMs(3, settings, () => 0.5)).toBe(3000);
    const samples = Array.from({ length: 200 }, () => retryDelayMs(4, settings));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});
