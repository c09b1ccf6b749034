import { describe, expect, it } from 'vitest';
import { type PlannedTranche, planProblems, planTotal } from '../src/domain/lending/tranche-plan.js';

const term = (plannedDate: string, tuition: bigint, upkeep: bigint, termLabel = 'Term'): PlannedTranche => ({
  termLabel,
  plannedDate,
  tuition,
  upkeep,
});
const context = { businessDate: '2027-09-01', category: 'student', hasInstitution: true };
const fields = (plan: PlannedTranche[], overrides: Partial<typeof context> = {}) =>
  planProblems(plan, { ...context, ...overrides }).map((problem) => `${problem.field} ${problem.code}`);

describe('a tranche plan', () => {
  const fourTerms = [
    term('2027-09-01', 300_000n, 100_000n),
    term('2028-01-15', 300_000n, 100_000n),
    term('2028-09-01', 300_000n, 100_000n),
    term('2029-01-15', 300_000n, 100_000n),
  ];

  it('takes terms in date order from today, and lends their total', () => {
    expect(fields(fourTerms)).toEqual([]);
    expect(planTotal(fourTerms)).toBe(1_600_000n);
  });

  it('names each field that is wrong', () => {
    expect(
      fields([term('2027-08-31', 1n, 0n), term('2027-08-31', 0n, 0n), term('2027-08-01', 0n, 5n)]),
    ).toEqual([
      'body.tranches.0.plannedDate date_in_past',
      'body.tranches.1.plannedDate date_in_past',
      'body.tranches.1.plannedDate out_of_order',
      'body.tranches.1 empty_tranche',
      'body.tranches.2.plannedDate date_in_past',
      'body.tranches.2.plannedDate out_of_order',
    ]);
  });

  it('pays tuition only to a named institution, and each leg only where the category allows it', () => {
    expect(fields(fourTerms, { hasInstitution: false })).toEqual(['body.institutionId required']);
    expect(fields([term('2027-09-01', 1n, 1n)], { category: 'tuition' })).toEqual([
      'body.tranches.0.upkeep leg_not_allowed',
    ]);
    expect(fields([term('2027-09-01', 1n, 1n)], { category: 'upkeep' })).toEqual([
      'body.tranches.0.tuition leg_not_allowed',
    ]);
    expect(fields([term('2027-09-01', 0n, 1n)], { category: 'upkeep', hasInstitution: false })).toEqual([]);
  });
});
