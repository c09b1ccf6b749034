import { createServiceMetrics } from '@bonding/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDate } from '../src/lending/business-date.js';
import { createLoansMetrics } from '../src/metrics.js';
import { insertDailyLoan } from './daily-loan.js';
import { createLoansHarness, type LoansHarness } from './harness.js';

/**
 * What an operator alerts on (charts/bonding/templates/observability/prometheusrule.yaml): the business
 * date's lag behind the calendar, read at scrape time, and close-of-business runs by result — through the
 * routes, on a real database.
 */
let h: LoansHarness;
beforeAll(async () => {
  h = await createLoansHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const DAY_MS = 86_400_000;

/** One series of the loans registry as a scrape shows it (collect hooks run), or undefined when absent. */
async function series(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await h.deps.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values.find((v) => Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value))
    ?.value;
}

const lag = () => series('loans_business_date_lag_days', { follows_calendar: 'false' });
const runs = async () => ({
  completed: await series('loans_close_of_business_runs_total', { result: 'completed' }),
  withFailures: await series('loans_close_of_business_runs_total', { result: 'with_failures' }),
  aborted: await series('loans_close_of_business_runs_total', { result: 'aborted' }),
  failedLoans: await series('loans_close_of_business_loans_total', { result: 'failed' }),
});

const businessDate = async () =>
  (await h.call('GET', '/api/v1/lending/business-date', { token: h.tokens.admin })).json
    .businessDate as string;
const move = (to: string) =>
  h.call('POST', '/api/v1/lending/business-date', { token: h.tokens.admin, body: { businessDate: to } });

describe('the business date lag', () => {
  it('grows with the calendar while the date stands still, and is 0 (never negative) once it is ahead', async () => {
    const today = await businessDate();
    expect(await lag()).toBe(0);
    // Three calendar days pass and nobody moves the date (no follower here: it is settable).
    h.clock.offsetMs = 3 * DAY_MS;
    try {
      expect(await lag()).toBe(3);
      const ahead = new Date(Date.parse(`${today}T00:00:00Z`) + 5 * DAY_MS).toISOString().slice(0, 10);
      const moved = await move(ahead);
      expect(moved.status, moved.text).toBe(200);
      // Two days ahead of the calendar, as development sets it by hand.
      expect(await lag()).toBe(0);
    } finally {
      h.clock.offsetMs = 0;
    }
  });
});

describe('close-of-business runs by result', () => {
  it('are exported at 0 before any run, so the first failure of a process shows as an increase', async () => {
    // A registry of its own, on which nothing has run.
    const service = createServiceMetrics('loans');
    createLoansMetrics(service, {
      db: h.deps.db,
      now: () => new Date(),
      timeZone: 'UTC',
      followsCalendar: true,
    });
    const fresh = await service.registry.getMetricsAsJSON();
    const values = (name: string) =>
      (fresh.find((m) => m.name === name)?.values ?? []).map((v) => [v.labels.result, v.value]);
    expect(values('loans_close_of_business_runs_total')).toEqual([
      ['completed', 0],
      ['with_failures', 0],
      ['aborted', 0],
    ]);
    expect(values('loans_close_of_business_loans_total')).toEqual([
      ['closed', 0],
      ['failed', 0],
    ]);
  });

  it('counts a run with a loan it could not close, a clean run, and a run stopped by an error', async () => {
    const before = await runs();
    const from = await businessDate();
    // On daily interest without study terms: closing its day throws, the others close.
    const broken = await insertDailyLoan(h.deps.db, { disbursed_on: from, study_end_date: null });
    await insertDailyLoan(h.deps.db, { disbursed_on: from, study_end_date: '2099-06-30' });
    // The date does not pass a run that left a loan unclosed: the next attempt closes just that loan.
    const failing = await move(nextDate(from));
    expect(failing.status, failing.text).toBe(503);
    expect(failing.json).toMatchObject({
      code: 'close_of_business_incomplete',
      businessDate: from,
      failures: 1,
    });
    expect(await businessDate()).toBe(from);
    expect(await runs()).toEqual({
      ...before,
      withFailures: (before.withFailures ?? 0) + 1,
      failedLoans: (before.failedLoans ?? 0) + 1,
    });

    await h.deps.db.updateTable('loans').set({ status: 'REPAID' }).where('id', '=', broken).execute();
    const clean = await move(nextDate(nextDate(from)));
    expect(clean.status, clean.text).toBe(200);
    expect(clean.json.closed).toEqual([
      expect.objectContaining({ businessDate: from, loansProcessed: 0, failures: 0 }),
      expect.objectContaining({ businessDate: nextDate(from), loansProcessed: 1, failures: 0 }),
    ]);
    const afterClean = await runs();
    expect(afterClean.completed).toBe((before.completed ?? 0) + 2);

    // The run cannot record itself: it stops with an error and the date stays where it was.
    await sql`RENAME TABLE cob_runs TO cob_runs_away`.execute(h.deps.db);
    try {
      const aborted = await move(nextDate(nextDate(nextDate(from))));
      expect(aborted.status, aborted.text).toBe(500);
    } finally {
      await sql`RENAME TABLE cob_runs_away TO cob_runs`.execute(h.deps.db);
    }
    expect(await runs()).toEqual({ ...afterClean, aborted: (before.aborted ?? 0) + 1 });
    expect(await businessDate()).toBe(nextDate(nextDate(from)));
  });
});
