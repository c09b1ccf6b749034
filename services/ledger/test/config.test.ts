import { ConfigError, parseConfig } from '@bonding/kit';
import { describe, expect, it } from 'vitest';
import { ledgerConfigSchema } from '../src/config.js';

const base = { MYSQL_URL: 'mysql://ledger@127.0.0.1:3306/ledger' };

describe('ledger configuration', () => {
  it('defaults to MWK, and reads a list of currencies', () => {
    expect(parseConfig(ledgerConfigSchema, base)).toMatchObject({
      CURRENCIES: ['MWK'],
      DEFAULT_CURRENCY: 'MWK',
      PORT: 3005,
    });
    expect(
      parseConfig(ledgerConfigSchema, { ...base, CURRENCIES: ' mwk, USD,MWK ', DEFAULT_CURRENCY: 'usd' }),
    ).toMatchObject({ CURRENCIES: ['MWK', 'USD'], DEFAULT_CURRENCY: 'USD' });
  });

  it.each([
    [{ CURRENCIES: 'MWK,kwacha' }, 'CURRENCIES'],
    [{ CURRENCIES: '' }, 'CURRENCIES'],
    [{ DEFAULT_CURRENCY: 'USD' }, 'DEFAULT_CURRENCY: must be one of CURRENCIES'],
    [{ IDEMPOTENCY_LEASE_MS: '10' }, 'IDEMPOTENCY_LEASE_MS'],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => parseConfig(ledgerConfigSchema, { ...base, ...env })).toThrow(ConfigError);
    expect(() => parseConfig(ledgerConfigSchema, { ...base, ...env })).toThrow(message);
  });
});
