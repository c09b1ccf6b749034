import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../lib/options.js';
import { selects, selectsAny } from '../lib/selection.js';

describe('npm run bench -- --only', () => {
  it('selects the scenarios whose ids start with a listed prefix', () => {
    const only = parseBenchOptions(['--only=guardians, transfers.edge'], '/tmp').only;
    expect(only).toEqual(['guardians', 'transfers.edge']);
    expect(selects(only, 'guardians.direct')).toBe(true);
    expect(selects(only, 'transfers.edge')).toBe(true);
    expect(selects(only, 'transfers.direct')).toBe(false);
    expect(selectsAny(only, ['floor', 'statement-small.direct'])).toBe(false);
  });

  it('selects everything without it', () => {
    const only = parseBenchOptions([], '/tmp').only;
    expect(only).toBeUndefined();
    expect(selects(only, 'floor')).toBe(true);
  });
});
