import { describe, expect, it } from 'vitest';
import { arrearsOn } from '../src/domain/arrears.js';
import { addMonths, daysBetween } from '../src/domain/calendar.js';
import { allocateRepayment, type InstalmentBalance, outstandingOf } from '../src/domain/repayment.js';
import { annuityPayment, buildSchedule, type LoanTerms } from '../src/domain/schedule.js';

/** A small seeded generator (mulberry32), so a failing case can be reproduced from its seed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

function randomLoan(seed: number): { terms: LoanTerms; start: string } {
  const r = randomSource(seed);
  const terms: LoanTerms = {
    principal: BigInt(r.int(1, 2_000_000_000)),
    annualRateBps: r.int(0, 4) === 0 ? 0 : r.int(1, 10_000),
    termMonths: r.int(1, 120),
    gracePeriodMonths: r.int(0, 24),
  };
  const start = `20${r.int(20, 40)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 31 - 3)).padStart(2, '0')}`;
  return { terms, start };
}

const SEEDS = Array.from({ length: 2_000 }, (_, i) => i + 1);
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

describe('the annuity schedule', () => {
  it('matches a textbook case: 10,000.00 at 12 % a year over 12 months is 888.49 a month', () => {
    const schedule = buildSchedule(
      { principal: 1_000_000n, annualRateBps: 1200, termMonths: 12, gracePeriodMonths: 0 },
      '2026-01-15',
    );
    expect(annuityPayment(1_000_000n, 1200, 12)).toBe(88_849n);
    expect(schedule[0]).toEqual({ number: 1, dueDate: '2026-02-15', principal: 78_849n, interest: 10_000n });
    expect(schedule.slice(0, -1).every((i) => i.principal + i.interest === 88_849n)).toBe(true);
    expect(sum(schedule.map((i) => i.principal))).toBe(1_000_000n);
  });

  it('at a zero rate charges no interest and puts the remainder on the last instalment', () => {
    const schedule = buildSchedule(
      { principal: 1_000n, annualRateBps: 0, termMonths: 3, gracePeriodMonths: 1 },
      '2026-01-31',
    );
    expect(schedule).toEqual([
      { number: 1, dueDate: '2026-03-31', principal: 333n, interest: 0n },
      { number: 2, dueDate: '2026-04-30', principal: 333n, interest: 0n },
      { number: 3, dueDate: '2026-05-31', principal: 334n, interest: 0n },
    ]);
  });

  it.each(SEEDS.filter((s) => s % 200 === 0))(
    'holds its invariants over many random loans (block %i)',
    (block) => {
      for (const seed of SEEDS.filter((s) => s > block - 200 && s <= block)) {
        const { terms, start } = randomLoan(seed);
        const schedule = buildSchedule(terms, start);
        const payment = annuityPayment(terms.principal, terms.annualRateBps, terms.termMonths);
        const context = `seed ${seed}: ${JSON.stringify({ ...terms, principal: String(terms.principal), start })}`;
        expect(schedule, context).toHaveLength(terms.termMonths);
        // The principal parts sum exactly to the principal, none negative.
        expect(sum(schedule.map((i) => i.principal)), context).toBe(terms.principal);
        expect(
          schedule.every((i) => i.principal >= 0n && i.interest >= 0n),
          context,
        ).toBe(true);
        if (terms.annualRateBps === 0)
          expect(
            schedule.every((i) => i.interest === 0n),
            context,
          ).toBe(true);
        // Level payments; only the last carries the rounding remainder, which stays small.
        for (const i of schedule.slice(0, -1)) expect(i.principal + i.interest, context).toBe(payment);
        const last = schedule.at(-1);
        if (!last) throw new Error('empty schedule');
        // Each month's rounding (at most one unit) compounds at the loan's rate up to the last instalment.
        const growth = (1 + terms.annualRateBps / 120_000) ** terms.termMonths;
        const bound = BigInt(Math.ceil(terms.termMonths * growth) + 1);
        const drift = last.principal + last.interest - payment;
        expect(drift <= bound && drift >= -bound, context).toBe(true);
        // Due dates: first one month after the grace period, then monthly, in order.
        expect(schedule[0]?.dueDate, context).toBe(addMonths(start, terms.gracePeriodMonths + 1));
        for (let k = 1; k < schedule.length; k++) {
          const gap = daysBetween(schedule[k - 1]?.dueDate ?? '', schedule[k]?.dueDate ?? '');
          expect(gap >= 28 && gap <= 31, context).toBe(true);
        }
      }
    },
  );

  it('charges each month the interest on the balance left, rounded half up', () => {
    const schedule = buildSchedule(
      { principal: 500_000n, annualRateBps: 2_500, termMonths: 6, gracePeriodMonths: 0 },
      '2026-03-10',
    );
    let balance = 500_000n;
    for (const i of schedule) {
      const exact = (balance * 2_500n * 2n + 120_000n) / 240_000n;
      expect(i.interest).toBe(exact);
      balance -= i.principal;
    }
    expect(balance).toBe(0n);
  });

  it('refuses a schedule without principal or term', () => {
    const terms = { principal: 0n, annualRateBps: 100, termMonths: 12, gracePeriodMonths: 0 };
    expect(() => buildSchedule(terms, '2026-01-01')).toThrow(RangeError);
    expect(() => buildSchedule({ ...terms, principal: 10n, termMonths: 0 }, '2026-01-01')).toThrow(
      RangeError,
    );
  });
});

describe('calendar months', () => {
  it('clamps to the end of shorter months without drifting', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });
});

const balances = (rows: [bigint, bigint][]): InstalmentBalance[] =>
  rows.map(([principalDue, interestDue], index) => ({
    number: index + 1,
    principalDue,
    interestDue,
    principalPaid: 0n,
    interestPaid: 0n,
  }));

describe('repayment allocation', () => {
  it('pays the earliest instalment first, its interest before its principal', () => {
    const schedule = balances([
      [100n, 10n],
      [105n, 5n],
    ]);
    expect(allocateRepayment(schedule, 50n)).toEqual([{ number: 1, interest: 10n, principal: 40n }]);
    expect(allocateRepayment(schedule, 115n)).toEqual([
      { number: 1, interest: 10n, principal: 100n },
      { number: 2, interest: 5n, principal: 0n },
    ]);
  });

  it('never allocates more than is outstanding, and allocates all of it exactly', () => {
    for (const seed of SEEDS.slice(0, 300)) {
      const { terms, start } = randomLoan(seed);
      const schedule = buildSchedule(terms, start).map((i) => ({
        number: i.number,
        principalDue: i.principal,
        interestDue: i.interest,
        principalPaid: 0n,
        interestPaid: 0n,
      }));
      const outstanding = outstandingOf(schedule);
      expect(() => allocateRepayment(schedule, outstanding + 1n)).toThrow(RangeError);
      const all = allocateRepayment(schedule, outstanding);
      expect(sum(all.map((a) => a.interest + a.principal))).toBe(outstanding);
      expect(sum(all.map((a) => a.principal))).toBe(terms.principal);
    }
  });
});

describe('arrears', () => {
  const schedule = [
    {
      number: 1,
      dueDate: '2026-02-01',
      principalDue: 100n,
      interestDue: 0n,
      principalPaid: 100n,
      interestPaid: 0n,
    },
    {
      number: 2,
      dueDate: '2026-03-01',
      principalDue: 100n,
      interestDue: 10n,
      principalPaid: 20n,
      interestPaid: 10n,
    },
    {
      number: 3,
      dueDate: '2026-04-01',
      principalDue: 100n,
      interestDue: 5n,
      principalPaid: 0n,
      interestPaid: 0n,
    },
  ];

  it('counts days since the earliest unpaid due date and what is owed on late instalments', () => {
    expect(arrearsOn(schedule, '2026-03-01')).toEqual({ daysPastDue: 0, arrears: 0n });
    expect(arrearsOn(schedule, '2026-03-02')).toEqual({ daysPastDue: 1, arrears: 80n });
    expect(arrearsOn(schedule, '2026-04-11')).toEqual({ daysPastDue: 41, arrears: 185n });
  });
});
