import { describe, expect, it } from 'vitest';
import type { DatedInstalment } from '../src/domain/arrears.js';
import { addMonths } from '../src/domain/calendar.js';
import { accrueDay, accrueDays } from '../src/domain/lending/daily-interest.js';
import { billInterest } from '../src/domain/lending/instalment-interest.js';
import { type AccrualState, capitalise, closeDay } from '../src/domain/lending/loan-accrual.js';
import { payoffQuote } from '../src/domain/lending/payoff.js';
import { rebuildAfterPrepayment, splitPrepayment } from '../src/domain/lending/prepayment.js';
import { buildRepaymentSchedule } from '../src/domain/lending/repayment-schedule.js';
import { phaseOn, repaymentStartDate, studyEndProblem } from '../src/domain/lending/study-phases.js';

/**
 * The lending rules of docs/lending-model.md against examples computed by hand (the arithmetic is in
 * each comment): 10,000.00 (1,000,000 minor units) at 4 % a year, HELB's rate, unless said otherwise.
 */
const TEN_THOUSAND = 1_000_000n;
const HELB_BPS = 400;

describe('daily interest, Actual/365 Fixed with the remainder carried', () => {
  it('accrues one day and carries what is below one minor unit', () => {
    // 1,000,000 × 400 = 400,000,000; ÷ 3,650,000 = 109 rest 2,150,000.
    expect(accrueDay(TEN_THOUSAND, HELB_BPS, 0n)).toEqual({ interest: 109n, carry: 2_150_000n });
    // 400,000,000 + 2,150,000 = 402,150,000; ÷ 3,650,000 = 110 rest 650,000.
    expect(accrueDay(TEN_THOUSAND, HELB_BPS, 2_150_000n)).toEqual({ interest: 110n, carry: 650_000n });
  });

  it('gives exactly 4 % over 365 days, and 29 February one more day like any other', () => {
    // 365 × 400,000,000 = 146,000,000,000 = 40,000 × 3,650,000 exactly.
    expect(accrueDays(TEN_THOUSAND, HELB_BPS, 0n, 365)).toEqual({ interest: 40_000n, carry: 0n });
    // A leap year: 366 × 400,000,000 = 146,400,000,000 = 40,109 × 3,650,000 + 2,150,000.
    expect(accrueDays(TEN_THOUSAND, HELB_BPS, 0n, 366)).toEqual({ interest: 40_109n, carry: 2_150_000n });
  });

  it('accrues n days at once exactly as n single days', () => {
    let day = { interest: 0n, carry: 123n };
    let total = 0n;
    for (let i = 0; i < 1_000; i++) {
      day = accrueDay(987_654_321n, 1_234, day.carry);
      total += day.interest;
    }
    expect({ interest: total, carry: day.carry }).toEqual(accrueDays(987_654_321n, 1_234, 123n, 1_000));
  });

  it('accrues nothing at a zero rate, and refuses a negative rate or an impossible carry', () => {
    expect(accrueDays(TEN_THOUSAND, 0, 7n, 365)).toEqual({ interest: 0n, carry: 7n });
    expect(() => accrueDay(TEN_THOUSAND, -1, 0n)).toThrow(RangeError);
    expect(() => accrueDay(TEN_THOUSAND, HELB_BPS, 3_650_000n)).toThrow(RangeError);
  });
});

describe('study phases', () => {
  const terms = { disbursedOn: '2027-09-01', studyEndDate: '2029-06-30', graceMonthsAfterStudy: 12 };

  it('runs IN_SCHOOL to the study end, GRACE for the grace months, then REPAYMENT', () => {
    expect(repaymentStartDate(terms)).toBe('2030-06-30');
    expect(phaseOn('2027-09-01', terms)).toBe('IN_SCHOOL');
    expect(phaseOn('2029-06-29', terms)).toBe('IN_SCHOOL');
    expect(phaseOn('2029-06-30', terms)).toBe('GRACE');
    expect(phaseOn('2030-06-29', terms)).toBe('GRACE');
    expect(phaseOn('2030-06-30', terms)).toBe('REPAYMENT');
    // HESLB's 24 months, from a 31 August study end: clamped, never past the month's end.
    expect(repaymentStartDate({ ...terms, studyEndDate: '2029-08-31', graceMonthsAfterStudy: 24 })).toBe(
      '2031-08-31',
    );
  });

  it('refuses a study end before the disbursement, in the past, or not a date', () => {
    expect(studyEndProblem('2027-08-31', '2027-09-01', '2027-09-01')).toMatch(/before the disbursement/);
    expect(studyEndProblem('2028-01-01', '2027-09-01', '2028-02-01')).toMatch(/in the past/);
    expect(studyEndProblem('2029-02-30', '2027-09-01', '2027-09-01')).toMatch(/YYYY-MM-DD/);
    expect(studyEndProblem('2029-06-30', '2027-09-01', '2027-09-01')).toBeUndefined();
  });
});

/** Closes every business date from the disbursement to the day before repayment starts. */
function throughStudyAndGrace(interestDuringStudy: 'subsidised' | 'capitalised'): AccrualState {
  const terms = { disbursedOn: '2027-09-01', studyEndDate: '2029-06-30', graceMonthsAfterStudy: 12 };
  let state: AccrualState = { principal: TEN_THOUSAND, accruedInterest: 0n, subsidy: 0n, carry: 0n };
  for (let date = terms.disbursedOn; date < repaymentStartDate(terms); date = nextDay(date)) {
    state = closeDay(state, phaseOn(date, terms), { annualRateBps: HELB_BPS, interestDuringStudy });
  }
  return state;
}

const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('interest while studying and in grace', () => {
  // 2027-09-01 to 2030-06-29 is 1,033 days (668 in school, 365 in grace; 29 February 2028 among them):
  // 1,033 × 400,000,000 = 413,200,000,000 = 113,205 × 3,650,000 + 1,750,000.
  it('capitalised: owed by the borrower, then added to the principal when repayment starts', () => {
    const accrued = throughStudyAndGrace('capitalised');
    expect(accrued).toEqual({
      principal: TEN_THOUSAND,
      accruedInterest: 113_205n,
      subsidy: 0n,
      carry: 1_750_000n,
    });
    const { state, capitalised } = capitalise(accrued);
    expect(capitalised).toBe(113_205n);
    // The carry stays carry.
    expect(state).toEqual({ principal: 1_113_205n, accruedInterest: 0n, subsidy: 0n, carry: 1_750_000n });
  });

  it('subsidised: the same amount, borne by the board and reported, never owed', () => {
    const accrued = throughStudyAndGrace('subsidised');
    expect(accrued).toEqual({
      principal: TEN_THOUSAND,
      accruedInterest: 0n,
      subsidy: 113_205n,
      carry: 1_750_000n,
    });
    expect(capitalise(accrued).capitalised).toBe(0n);
  });

  it('accrues to the borrower once repaying, whatever the product says of study', () => {
    const state = { principal: TEN_THOUSAND, accruedInterest: 0n, subsidy: 0n, carry: 0n };
    const terms = { annualRateBps: HELB_BPS, interestDuringStudy: 'subsidised' as const };
    expect(closeDay(state, 'REPAYMENT', terms)).toMatchObject({ accruedInterest: 109n, subsidy: 0n });
  });
});

describe('the schedule built when repayment starts', () => {
  // Annuity on 1,000,000 at 4 %/12 over 12 months: 85,149.9 → 85,150. Instalment 1: 28 days,
  // 28 × 400,000,000 = 11,200,000,000 = 3,068 × 3,650,000 + 1,800,000, so 3,068 interest and
  // 85,150 − 3,068 = 82,082 principal; instalment 2: (917,918 × 400 × 31 + 1,800,000) ÷ 3,650,000 = 3,118.
  const schedule = buildRepaymentSchedule({
    balance: TEN_THOUSAND,
    annualRateBps: HELB_BPS,
    termMonths: 12,
    startDate: '2031-01-31',
  });

  it('falls due k months after the start, clamped to the month end', () => {
    expect(schedule.map((i) => i.dueDate)).toEqual(
      Array.from({ length: 12 }, (_, k) => addMonths('2031-01-31', k + 1)),
    );
    expect(schedule.slice(0, 3).map((i) => i.dueDate)).toEqual(['2031-02-28', '2031-03-31', '2031-04-30']);
  });

  it('splits each level instalment into the interest accrued since the last and principal', () => {
    expect(schedule[0]).toEqual({ number: 1, dueDate: '2031-02-28', principal: 82_082n, interest: 3_068n });
    expect(schedule[1]).toEqual({ number: 2, dueDate: '2031-03-31', principal: 82_032n, interest: 3_118n });
    for (const instalment of schedule.slice(0, -1))
      expect(instalment.principal + instalment.interest).toBe(85_150n);
  });

  it('lets the last instalment absorb the rounding: the principal parts sum to the balance exactly', () => {
    expect(schedule.reduce((sum, i) => sum + i.principal, 0n)).toBe(TEN_THOUSAND);
    expect(schedule.at(-1)).toEqual({
      number: 12,
      dueDate: '2032-01-31',
      principal: 84_703n,
      interest: 288n,
    });
  });

  it('at a zero rate: equal principal, no interest', () => {
    const free = buildRepaymentSchedule({
      balance: 1_000n,
      annualRateBps: 0,
      termMonths: 3,
      startDate: '2031-01-01',
    });
    expect(free.map((i) => [i.principal, i.interest])).toEqual([
      [333n, 0n],
      [333n, 0n],
      [334n, 0n],
    ]);
  });
});

describe('payoff', () => {
  it('is principal, interest accrued to the date and what else is overdue; the carry is dropped', () => {
    // 10 days ahead: (1,000,000 × 400 × 10 + 1,800,000) ÷ 3,650,000 = 1,096 (rest dropped); 500 + 1,096.
    const quote = payoffQuote({
      principal: TEN_THOUSAND,
      accruedInterest: 500n,
      carry: 1_800_000n,
      overdueCharges: 0n,
      annualRateBps: HELB_BPS,
      accruedThrough: '2031-01-31',
      payoffDate: '2031-02-10',
    });
    expect(quote).toEqual({ principal: TEN_THOUSAND, interest: 1_596n, charges: 0n, total: 1_001_596n });
  });

  it('refuses a date before the last close of business', () => {
    const inputs = {
      principal: TEN_THOUSAND,
      accruedInterest: 0n,
      carry: 0n,
      overdueCharges: 0n,
      annualRateBps: HELB_BPS,
      accruedThrough: '2031-01-31',
      payoffDate: '2031-01-30',
    };
    expect(() => payoffQuote(inputs)).toThrow(RangeError);
  });
});

describe('prepayment', () => {
  // 300,000 paid with 85,150 due, 1,000 accrued since: 85,150 to what is due, 1,000 to interest, the
  // remaining 213,850 to principal; 917,918 − 213,850 = 704,068 left.
  const split = splitPrepayment({
    amount: 300_000n,
    due: 85_150n,
    accruedInterest: 1_000n,
    principal: 917_918n,
  });
  const rebuild = {
    balance: 704_068n,
    annualRateBps: HELB_BPS,
    startDate: '2031-02-28',
    carry: 0n,
    remainingMonths: 11,
    payment: 85_150n,
  };

  it('pays what is due, then accrued interest, then principal: never future interest', () => {
    expect(split).toEqual({ toDue: 85_150n, toInterest: 1_000n, toPrincipal: 213_850n });
    expect(() => splitPrepayment({ amount: 2n, due: 0n, accruedInterest: 0n, principal: 1n })).toThrow(
      RangeError,
    );
  });

  it('reduce-instalment keeps the 11 months left and lowers the amount to the annuity on what is left', () => {
    const schedule = rebuildAfterPrepayment({ ...rebuild, strategy: 'reduce-instalment' });
    expect(schedule).toHaveLength(11);
    // Annuity on 704,068 over 11 months at 4 %: 65,293.
    expect(schedule[0] && schedule[0].principal + schedule[0].interest).toBe(65_293n);
    expect(schedule.reduce((sum, i) => sum + i.principal, 0n)).toBe(704_068n);
  });

  it('reduce-term keeps the amount at most 85,150 and drops months: 9 instead of 11', () => {
    const schedule = rebuildAfterPrepayment({ ...rebuild, strategy: 'reduce-term' });
    // The annuity on 704,068 is 89,334 over 8 months (too much) and 79,539 over 9.
    expect(schedule).toHaveLength(9);
    expect(schedule[0] && schedule[0].principal + schedule[0].interest).toBe(79_539n);
    expect(schedule.reduce((sum, i) => sum + i.principal, 0n)).toBe(704_068n);
    expect(schedule.at(-1)?.dueDate).toBe('2031-11-28');
  });
});

describe('billing an instalment with the interest that actually accrued', () => {
  // Three instalments of a 1,000,000 loan; their principal parts sum to it.
  const schedule = (changes: Partial<Record<number, Partial<DatedInstalment>>> = {}): DatedInstalment[] =>
    [
      { number: 1, dueDate: '2031-02-28', principalDue: 300_000n, interestDue: 3_000n },
      { number: 2, dueDate: '2031-03-31', principalDue: 302_000n, interestDue: 2_000n },
      { number: 3, dueDate: '2031-04-30', principalDue: 398_000n, interestDue: 1_000n },
    ].map((i) => ({ principalPaid: 0n, interestPaid: 0n, ...i, ...changes[i.number] }));

  it('replaces the projection when the instalment falls due; the last takes the principal difference', () => {
    // 3,100 accrued over the first period: 303,000 − 3,100 = 299,900 of principal; the last takes 100 more.
    expect(
      billInterest(
        schedule(),
        '2031-02-27',
        '2031-02-28',
        { principal: 1_000_000n, accruedInterest: 3_100n },
        100n,
      ),
    ).toEqual([
      { number: 1, principalDue: 299_900n, interestDue: 3_100n },
      { number: 3, principalDue: 398_100n, interestDue: 1_000n },
    ]);
  });

  it('bills a late borrower the interest of the larger balance, and never counts billed interest twice', () => {
    // The first is unpaid (3,100 billed): of 6,250 accrued, 3,150 is the second period's; 304,000 − 3,150.
    const late = schedule({
      1: { principalDue: 299_900n, interestDue: 3_100n },
      3: { principalDue: 398_100n },
    });
    expect(
      billInterest(
        late,
        '2031-03-30',
        '2031-03-31',
        { principal: 1_000_000n, accruedInterest: 6_250n },
        105n,
      ),
    ).toEqual([
      { number: 2, principalDue: 300_850n, interestDue: 3_150n },
      // 1,000,000 − 299,900 − 300,850.
      { number: 3, principalDue: 399_250n, interestDue: 1_000n },
    ]);
  });

  it('counts interest a prepayment paid early as the period’s, and bills days after the last due date', () => {
    const prepaid = schedule({
      1: { principalPaid: 300_000n, interestPaid: 3_000n },
      2: { interestPaid: 1_000n },
    });
    const [second] = billInterest(
      prepaid,
      '2031-03-30',
      '2031-03-31',
      { principal: 700_000n, accruedInterest: 2_150n },
      70n,
    );
    expect(second).toMatchObject({ number: 2, interestDue: 3_150n });
    expect(
      billInterest(
        schedule(),
        '2031-04-30',
        '2031-05-01',
        { principal: 398_000n, accruedInterest: 1_110n },
        110n,
      ),
    ).toEqual([{ number: 3, principalDue: 398_000n, interestDue: 1_110n }]);
    expect(
      billInterest(
        schedule(),
        '2031-03-10',
        '2031-03-11',
        { principal: 700_000n, accruedInterest: 700n },
        70n,
      ),
    ).toEqual([]);
  });
});
