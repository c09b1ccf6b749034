import { describe, expect, it } from 'vitest';
import { ACADEMIC_YEAR_FORMAT } from '../src/domain/academic-year.js';

const year = (n: number) => String(n).padStart(4, '0');

describe('ACADEMIC_YEAR_FORMAT', () => {
  it('takes every pair of consecutive four-digit years and nothing else', () => {
    const wrong: string[] = [];
    for (let first = 0; first <= 9998; first++) {
      if (!ACADEMIC_YEAR_FORMAT.test(`${year(first)}/${year(first + 1)}`)) wrong.push(`${first} refused`);
      for (const other of [first, first + 2, first - 1]) {
        if (other >= 0 && other <= 9999 && ACADEMIC_YEAR_FORMAT.test(`${year(first)}/${year(other)}`))
          wrong.push(`${first}/${other} taken`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(['2026-2027', '2026/27', ' 2026/2027', '9999/10000', '2026/2027/2028'])('refuses %j', (text) => {
    expect(ACADEMIC_YEAR_FORMAT.test(text)).toBe(false);
  });
});
