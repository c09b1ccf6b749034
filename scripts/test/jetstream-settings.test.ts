// The provisioning settings (scripts/lib/jetstream-provision.ts): both streams' max ages, and the rule that
// keeps them shorter than the consumers' inbox remembers applied events.
import { afterEach, describe, expect, it } from 'vitest';
import { platformJetStreamSettings } from '../lib/jetstream-provision.js';

const saved = process.env.INBOX_RETENTION_HOURS;
afterEach(() => {
  if (saved === undefined) delete process.env.INBOX_RETENTION_HOURS;
  else process.env.INBOX_RETENTION_HOURS = saved;
});

describe('platformJetStreamSettings', () => {
  it('keeps events a week and secret ones an hour by default', () => {
    delete process.env.INBOX_RETENTION_HOURS;
    const settings = platformJetStreamSettings();
    expect(settings.maxAgeMs).toBe(7 * 24 * 3_600_000);
    expect(settings.privateMaxAgeMs).toBe(3_600_000);
    expect(platformJetStreamSettings({ privateMaxAgeMinutes: 20 }).privateMaxAgeMs).toBe(20 * 60_000);
  });

  it('refuses a stream that would keep events longer than the inbox remembers them', () => {
    process.env.INBOX_RETENTION_HOURS = '2';
    expect(() => platformJetStreamSettings({ maxAgeHours: 1 })).not.toThrow();
    expect(() => platformJetStreamSettings({ maxAgeHours: 1, privateMaxAgeMinutes: 180 })).toThrow(
      /shorter than INBOX_RETENTION_HOURS/,
    );
    expect(() => platformJetStreamSettings({ maxAgeHours: 3 })).toThrow(/shorter than INBOX_RETENTION_HOURS/);
  });

  it('refuses a max age under a minute', () => {
    expect(() => platformJetStreamSettings({ privateMaxAgeMinutes: 0 })).toThrow(/at least a minute/);
    expect(() => platformJetStreamSettings({ privateMaxAgeMinutes: Number('x') })).toThrow(
      /at least a minute/,
    );
  });
});
