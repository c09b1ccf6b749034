import { describe, expect, it } from 'vitest';
import { parseConfig, parseSubscribers, retryDelayMs, eventConfigSchema as schema } from '../../src/index.js';

const secret = 'x'.repeat(40);

describe('EVENT_SUBSCRIBERS', () => {
  it('parses name=url|types entries separated by ; or newlines', () => {
    expect(
      parseSubscribers(`students=http://students:3002/|user.registered, user.updated ;
        notifications=https://notifications.bonding.svc:3006|user.*,agent.approved`),
    ).toEqual([
      { name: 'students', url: 'http://students:3002', patterns: ['user.registered', 'user.updated'] },
      {
        name: 'notifications',
        url: 'https://notifications.bonding.svc:3006',
        patterns: ['user.*', 'agent.approved'],
      },
    ]);
  });

  it('takes a filter on one field of the data after a type', () => {
    expect(
      parseSubscribers('loans=http://loans:3004|transfer.completed?purpose=disbursement,loan.*'),
    ).toEqual([
      {
        name: 'loans',
        url: 'http://loans:3004',
        patterns: ['transfer.completed?purpose=disbursement', 'loan.*'],
      },
    ]);
  });

  it('is empty when unset: events are kept, nobody receives them', () => {
    expect(parseConfig(schema, {}).EVENT_SUBSCRIBERS).toEqual([]);
  });

  it.each([
    ['students=http://s:1', /not name=url\|type/],
    ['Students=http://s:1|user.registered', /lower-case/],
    ['students=ftp://s|user.registered', /http/],
    ['students=http://s:1|user.registerd', /matches no known event type/],
    ['a=http://a|*;a=http://b|*', /named twice/],
    ['loans=http://l|transfer.completed?purpose', /not type\?field=value/],
    ['loans=http://l|transfer.completed?purpose=a b', /not type\?field=value/],
    ['loans=http://l|transfer.completed?purpse=disbursement', /has no field "purpse"/],
    // Every user.* event must carry the field: user.registered has no loanId.
    ['loans=http://l|user.*?loanId=x', /has no field "loanId"/],
  ])('refuses %s', (value, message) => {
    expect(() => parseSubscribers(value)).toThrow(message);
  });

  it('needs a secret in INTERNAL_PEER_SECRETS for every subscriber, without printing any secret', () => {
    let message = '';
    try {
      parseConfig(schema, {
        EVENT_SUBSCRIBERS: 'students=http://students:3002|user.*;ledger=http://ledger:3005|loan.approved',
        INTERNAL_PEER_SECRETS: `students=${secret}`,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'invalid configuration: INTERNAL_PEER_SECRETS: no secret for subscriber ledger (named in EVENT_SUBSCRIBERS)',
    );
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
