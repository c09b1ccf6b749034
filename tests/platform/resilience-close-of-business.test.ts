import { isDeepStrictEqual } from 'node:util';
import { createDatabase, type Database } from '@bonding/kit';
import { type CallResult, createApiClient } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import {
  type AccrualState,
  capitalise,
  closeDay,
  type InterestDuringStudy,
} from '../../services/loans/src/domain/lending/loan-accrual.js';
import {
  type Phase,
  phaseOn,
  type StudyTerms,
} from '../../services/loans/src/domain/lending/study-phases.js';
import { dateText, nextDate } from '../../services/loans/src/lending/business-date.js';
import { dailyLoanRow } from '../../services/loans/test/daily-loan.js';
import { signInAdmin } from './journeys.js';
import { type Platform, startPlatform } from './platform.js';

/**
 * Close of business in real loans processes over a book of daily-interest loans: a process killed with
 * SIGKILL in the middle of a run and started again, then two processes moving the business date at the
 * same moment. Either way every (loan, date) is closed exactly once, and every loan holds what the pure
 * rules (domain/lending) give for the dates closed: nothing accrued twice, nothing skipped.
 */
const LOANS = 2_000;

let platform: Platform;
let loansDb: Database<LoansDatabase>;
let adminToken: string;
/** The first business date (today's calendar date in BUSINESS_TIME_ZONE, as a fresh database starts). */
let start: string;
beforeAll(async () => {
  platform = await startPlatform({ name: 'cob_crash', services: ['loans'], startTimeoutMs: 120_000 });
  loansDb = createDatabase<LoansDatabase>({ url: platform.databaseUrl('loans'), poolSize: 2 });
  adminToken = await signInAdmin(platform);
  start = (await direct(platform.url('loans'))('GET', '/lending/business-date', { token: adminToken })).json
    .businessDate;
  await writeBook();
}, 180_000);
afterAll(async () => {
  await loansDb?.close();
  await platform?.close();
});

/** Calls one loans process directly (a replica has no route of its own at the edge); below /api/v1. */
const direct = (base: string) => createApiClient((path, init) => fetch(`${base}/api/v1${path}`, init));

const daysAfter = (date: string, days: number): string =>
  days === 0 ? date : daysAfter(nextDate(date), days - 1);

const moveTo = (base: string, businessDate: string): Promise<CallResult> =>
  direct(base)('POST', '/lending/business-date', { token: adminToken, body: { businessDate } });

interface BookLoan {
  id: string;
  principal: bigint;
  annualRateBps: number;
  interestDuringStudy: InterestDuringStudy;
  terms: StudyTerms;
}
const book: BookLoan[] = [];

/**
 * LOANS loans disbursed on the first business date, in three kinds: most study past every date the tests
 * close; one in ten ends studies on the third date into 12 months of grace; one in ten ends them then with
 * no grace, so it enters repayment (capitalised on a capitalising product, then a schedule). Principals,
 * rates and the interest during study vary, so that a loan closed twice or skipped cannot look right.
 */
async function writeBook(): Promise<void> {
  const rates = [400, 650, 1_000];
  const rows = Array.from({ length: LOANS }, (_, index) => {
    const principal = 1_000_000n + BigInt(index) * 1_237n;
    const kind = index % 10;
    const terms: StudyTerms = {
      disbursedOn: start,
      studyEndDate: kind < 8 ? daysAfter(start, 1_000) : daysAfter(start, 2),
      graceMonthsAfterStudy: kind === 9 ? 0 : 12,
    };
    const row = dailyLoanRow({
      principal: principal.toString(),
      principal_outstanding: principal.toString(),
      annual_rate_bps: rates[index % rates.length] as number,
      interest_during_study: index % 2 === 0 ? 'capitalised' : 'subsidised',
      disbursed_on: terms.disbursedOn,
      study_end_date: terms.studyEndDate,
      grace_months_after_study: terms.graceMonthsAfterStudy,
    });
    book.push({
      id: row.id,
      principal,
      annualRateBps: row.annual_rate_bps as number,
      interestDuringStudy: row.interest_during_study as InterestDuringStudy,
      terms,
    });
    return row;
  });
  for (let at = 0; at < rows.length; at += 500) {
    await loansDb.db
      .insertInto('loans')
      .values(rows.slice(at, at + 500))
      .execute();
  }
}

/** What the pure rules give for a loan once `dates` business dates from the first are closed. */
function expected(loan: BookLoan, dates: number) {
  const accrual = { annualRateBps: loan.annualRateBps, interestDuringStudy: loan.interestDuringStudy };
  let state: AccrualState = { principal: loan.principal, accruedInterest: 0n, subsidy: 0n, carry: 0n };
  let date = start;
  let phase: Phase = phaseOn(date, loan.terms);
  const history: string[] = [];
  for (let day = 0; day < dates; day++) {
    state = closeDay(state, phase, accrual);
    date = nextDate(date);
    const next = phaseOn(date, loan.terms);
    if (next !== phase) {
      if (next === 'REPAYMENT' && loan.interestDuringStudy === 'capitalised') {
        state = capitalise(state).state;
        history.push('interest_capitalised');
      }
      history.push(`phase_changed ${phase}→${next}`);
    }
    phase = next;
  }
  return {
    phase,
    principal_outstanding: state.principal.toString(),
    accrued_interest: state.accruedInterest.toString(),
    subsidy: state.subsidy.toString(),
    interest_carry: state.carry.toString(),
    accruedThrough: daysAfter(start, dates - 1),
    history,
  };
}

const closedDays = async (): Promise<number> =>
  Number(
    (
      await loansDb.db
        .selectFrom('cob_loan_days')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Every loan closed exactly once on each of the first `dates` business dates, and holding the pure result. */
async function expectClosedOnce(dates: number): Promise<void> {
  const perDate = await loansDb.db
    .selectFrom('cob_loan_days')
    .select(dateText('business_date').as('date'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy('business_date')
    .orderBy('business_date')
    .execute();
  expect(perDate.map(({ date, n }) => [date, Number(n)])).toEqual(
    Array.from({ length: dates }, (_, day) => [daysAfter(start, day), LOANS]),
  );

  const rows = await loansDb.db
    .selectFrom('loans')
    .select(['id', 'phase', 'principal_outstanding', 'accrued_interest', 'subsidy', 'interest_carry'])
    .select(dateText('accrued_through').as('accruedThrough'))
    .execute();
  const histories = await loansDb.db
    .selectFrom('lending_history')
    .select(['loan_id', 'kind', 'from_phase', 'to_phase'])
    .orderBy('id')
    .execute();
  const historyOf = new Map<string, string[]>();
  for (const entry of histories) {
    const line =
      entry.kind === 'phase_changed' ? `phase_changed ${entry.from_phase}→${entry.to_phase}` : entry.kind;
    historyOf.set(entry.loan_id, [...(historyOf.get(entry.loan_id) ?? []), line]);
  }
  const schedules = await loansDb.db
    .selectFrom('instalments')
    .select('loan_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy('loan_id')
    .execute();
  const scheduleOf = new Map(schedules.map(({ loan_id, n }) => [loan_id, Number(n)]));
  const byId = new Map(rows.map(({ id, ...state }) => [id, state]));
  const wrong: string[] = [];
  for (const loan of book) {
    const want = expected(loan, dates);
    const found = {
      ...byId.get(loan.id),
      history: historyOf.get(loan.id) ?? [],
      // A loan that entered repayment has one schedule of its 12 months, never two.
      instalments: scheduleOf.get(loan.id) ?? 0,
    };
    const wanted = { ...want, instalments: want.phase === 'REPAYMENT' ? 12 : 0 };
    if (!isDeepStrictEqual(found, wanted)) {
      wrong.push(`${loan.id}: ${JSON.stringify(found)}, want ${JSON.stringify(wanted)}`);
    }
  }
  expect(wrong.slice(0, 5), `${wrong.length} of ${LOANS} loans differ from the pure rules`).toEqual([]);

  const runs = await loansDb.db
    .selectFrom('cob_runs')
    .select(dateText('business_date').as('date'))
    .select(['failures', 'finished_at'])
    .orderBy('business_date')
    .execute();
  expect(runs.map(({ date, failures, finished_at }) => [date, failures, finished_at !== null])).toEqual(
    Array.from({ length: dates }, (_, day) => [daysAfter(start, day), 0, true]),
  );
}

describe('close of business in real loans processes', () => {
  it('resumes after the process is killed in the middle of a run: each (loan, date) closed once', async () => {
    const target = daysAfter(start, 3);
    const total = LOANS * 3;
    let settled = false;
    const moving = moveTo(platform.url('loans'), target)
      .catch((error: Error) => error)
      .finally(() => {
        settled = true;
      });
    // Into the second date: the first is closed and the date moved once, the second only in part.
    while (!settled && (await closedDays()) <= LOANS) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await platform.stop('loans', 'SIGKILL');
    const killed = await moving;
    expect(killed instanceof Error ? 'killed mid-request' : killed.text).toBe('killed mid-request');

    await platform.start('loans');
    // Counted once the process is back, so a commit the killed process had already sent is in.
    const leftBehind = await closedDays();
    // The kill landed inside the run: some (loan, date) pairs closed, not all of them.
    expect(leftBehind).toBeGreaterThan(LOANS);
    expect(leftBehind).toBeLessThan(total);
    const resumed = await moveTo(platform.url('loans'), target);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.json.businessDate).toBe(target);
    // Only what the killed run had not closed is closed now.
    const closedNow = (resumed.json.closed as { loansProcessed: number; failures: number }[]).reduce(
      (sum, run) => sum + run.loansProcessed,
      0,
    );
    expect(closedNow).toBe(total - leftBehind);
    expect(resumed.json.closed.every((run: { failures: number }) => run.failures === 0)).toBe(true);
    const today = await direct(platform.url('loans'))('GET', '/lending/business-date', { token: adminToken });
    expect(today.json.businessDate).toBe(target);
    await expectClosedOnce(3);
  }, 120_000);

  it('closes each (loan, date) once when two processes move the date at the same moment', async () => {
    const replica = await platform.replica('loans');
    const target = daysAfter(start, 5);
    const answers = await Promise.all([
      moveTo(platform.url('loans'), target),
      moveTo(replica.baseUrl, target),
    ]);
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json.businessDate).toBe(target);
    }
    // Between them, the two processes closed every loan once on each new date.
    const closedOn = (date: string) =>
      answers
        .flatMap((answer) => answer.json.closed as { businessDate: string; loansProcessed: number }[])
        .filter((run) => run.businessDate === date)
        .reduce((sum, run) => sum + run.loansProcessed, 0);
    expect([closedOn(daysAfter(start, 3)), closedOn(daysAfter(start, 4))]).toEqual([LOANS, LOANS]);
    await expectClosedOnce(5);
  }, 120_000);
});
