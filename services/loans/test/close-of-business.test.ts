import { createDatabase, createLogger, runMigrations } from '@bonding/kit';
import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';
import type { LoanRow, LoansDatabase } from '../src/db/schema.js';
import { advanceBusinessDate, currentBusinessDate, dateText } from '../src/lending/business-date.js';
import { runCloseOfBusiness } from '../src/lending/close-of-business.js';
import { closeLoanDay } from '../src/lending/loan-day.js';
import { insertDailyLoan } from './daily-loan.js';

/**
 * Close of business on a real database: the worked example of docs/lending-model.md followed across three
 * years of business dates, exactly once per (loan, date) under two concurrent runs and after a run that
 * stopped half-way.
 */
let database: TestDatabase;
let db: ReturnType<typeof createDatabase<LoansDatabase>>['db'];
let close: () => Promise<void>;
const logger = createLogger({ service: 'test', level: 'silent' });
const now = () => new Date();
const deps = () => ({ db, logger, now });

beforeAll(async () => {
  database = await createTestDatabase('loans_cob');
  const created = createDatabase<LoansDatabase>({ url: database.url, poolSize: 6 });
  db = created.db;
  close = () => created.close();
  await runMigrations(db, created.name, migrations);
}, 60_000);
afterAll(async () => {
  await close?.();
  await database?.drop();
});

const disbursedLoan = (overrides: Partial<LoanRow> = {}) => insertDailyLoan(db, overrides);

const lendingState = (id: string) =>
  db
    .selectFrom('loans')
    .select(['phase', 'principal_outstanding', 'accrued_interest', 'subsidy', 'interest_carry'])
    .select(dateText('accrued_through').as('accruedThrough'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

const closedDays = async (date: string) =>
  Number(
    (
      await db
        .selectFrom('cob_loan_days')
        .select(sql<number>`COUNT(*)`.as('n'))
        .where(dateText('business_date'), '=', date)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('close of business across the worked example', () => {
  it('accrues through study and grace, capitalises, builds the schedule, and moves the phases on their days', async () => {
    const capitalised = await disbursedLoan();
    const subsidised = await disbursedLoan({ interest_during_study: 'subsidised' });
    await currentBusinessDate(db, '2027-09-01', now());
    // 1,033 business dates closed, one transaction per loan and date.
    const reached = await advanceBusinessDate(db, '2030-06-30', now, async (date) => {
      await runCloseOfBusiness(deps(), date);
    });
    expect(reached).toBe('2030-06-30');

    expect(await lendingState(capitalised)).toEqual({
      phase: 'REPAYMENT',
      principal_outstanding: '1113205',
      accrued_interest: '0',
      subsidy: '0',
      interest_carry: '1750000',
      accruedThrough: '2030-06-29',
    });
    expect(await lendingState(subsidised)).toMatchObject({
      phase: 'REPAYMENT',
      principal_outstanding: '1000000',
      accrued_interest: '0',
      subsidy: '113205',
    });

    const history = await db
      .selectFrom('lending_history')
      .select(['kind', 'from_phase', 'to_phase', 'amount'])
      .select(dateText('business_date').as('on'))
      .where('loan_id', '=', capitalised)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { kind: 'phase_changed', from_phase: 'IN_SCHOOL', to_phase: 'GRACE', amount: null, on: '2029-06-30' },
      { kind: 'interest_capitalised', from_phase: null, to_phase: null, amount: '113205', on: '2030-06-30' },
      { kind: 'phase_changed', from_phase: 'GRACE', to_phase: 'REPAYMENT', amount: null, on: '2030-06-30' },
    ]);

    const schedule = await db
      .selectFrom('instalments')
      .select(['number', 'principal_due', 'interest_due'])
      .select(dateText('due_date').as('due'))
      .where('loan_id', '=', capitalised)
      .orderBy('number')
      .execute();
    expect(schedule).toHaveLength(12);
    expect(schedule[0]?.due).toBe('2030-07-30');
    expect(schedule.reduce((sum, i) => sum + BigInt(i.principal_due), 0n)).toBe(1_113_205n);

    const events = await db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_key', '=', capitalised)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.type)).toEqual([
      'loan.phaseChanged',
      'loan.interestCapitalised',
      'loan.repaymentStarted',
      'loan.phaseChanged',
    ]);
    expect(JSON.parse(events[1]?.payload ?? '{}')).toMatchObject({
      amount: { amountMinor: '113205', currency: 'MWK' },
      businessDate: '2030-06-30',
    });
    const run = await db
      .selectFrom('cob_runs')
      .select(['loans_processed', 'failures'])
      .where(dateText('business_date'), '=', '2029-06-29')
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ loans_processed: 2, failures: 0 });
  }, 120_000);

  it('refuses to move the business date backwards', async () => {
    await expect(advanceBusinessDate(db, '2027-01-01', now, async () => undefined)).rejects.toMatchObject({
      status: 409,
      code: 'business_date_backwards',
    });
  });
});

/** Every loan close of business goes through (the worked example's two are still repaying). */
const activeDailyLoans = async () =>
  Number(
    (
      await db
        .selectFrom('loans')
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('interest_method', '=', 'daily')
        .where('status', '=', 'DISBURSED')
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('exactly once per loan and date', () => {
  const date = '2031-03-01';

  it('closes each loan once when two runs go at the same time', async () => {
    const loans = await Promise.all(
      Array.from({ length: 40 }, () =>
        disbursedLoan({ study_end_date: '2035-06-30', disbursed_on: '2031-01-01' }),
      ),
    );
    const [first, second] = await Promise.all([
      runCloseOfBusiness(deps(), date),
      runCloseOfBusiness(deps(), date),
    ]);
    expect(first.failures + second.failures).toBe(0);
    expect(first.loansProcessed + second.loansProcessed).toBe(await activeDailyLoans());
    for (const id of loans) {
      // One day on 1,000,000 at 4 %: 109 and 2,150,000 carried; a second close would make it 219.
      expect(await lendingState(id)).toMatchObject({ accrued_interest: '109', interest_carry: '2150000' });
    }
    // A third run for the date finds nothing left.
    expect((await runCloseOfBusiness(deps(), date)).loansProcessed).toBe(0);
  }, 60_000);

  it('after a run that stopped half-way, closes only the loans it had not reached', async () => {
    const stopDate = '2031-03-02';
    const loans = await db
      .selectFrom('loans')
      .select('id')
      .where(dateText('disbursed_on'), '=', '2031-01-01')
      .orderBy('id')
      .execute();
    // The crashed run had closed the first half, each in its own committed transaction.
    const half = loans.slice(0, loans.length / 2);
    for (const { id } of half)
      await db.transaction().execute((trx) => closeLoanDay(trx, id, stopDate, now()));
    const resumed = await runCloseOfBusiness(deps(), stopDate);
    const active = await activeDailyLoans();
    expect(resumed.loansProcessed).toBe(active - half.length);
    expect(await closedDays(stopDate)).toBe(active);
    for (const { id } of loans) {
      // Two days each, never three: 109 + 110.
      expect(await lendingState(id)).toMatchObject({ accrued_interest: '219' });
    }
  }, 60_000);
});
