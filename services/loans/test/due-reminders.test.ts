import { createDatabase, createLogger, runMigrations } from '@bonding/kit';
import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';
import type { LoanRow, LoansDatabase } from '../src/db/schema.js';
import { remindInstalmentsDueSoon } from '../src/due-reminders.js';
import { runCloseOfBusiness } from '../src/lending/close-of-business.js';
import { insertRepaymentSchedule } from '../src/lending/loan-day.js';
import { insertDailyLoan } from './daily-loan.js';

/**
 * The reminder before each due date, on a real database: close of business for D tells the student once
 * of every unpaid instalment due after D and at most DUE_REMINDER_DAYS after it, on both interest
 * methods, however many runs race for D.
 */
let database: TestDatabase;
let db: ReturnType<typeof createDatabase<LoansDatabase>>['db'];
let close: () => Promise<void>;
const logger = createLogger({ service: 'test', level: 'silent' });
const now = () => new Date();
const deps = () => ({ db, logger, now });

beforeAll(async () => {
  database = await createTestDatabase('loans_reminders');
  const created = createDatabase<LoansDatabase>({ url: database.url, poolSize: 6 });
  db = created.db;
  close = () => created.close();
  await runMigrations(db, created.name, migrations);
}, 60_000);
afterAll(async () => {
  await close?.();
  await database?.drop();
});

/**
 * 10,000.00 at 4 % repaying over 12 months from 2031-01-31 (docs/lending-model.md's schedule example):
 * 851.50 a month, the first due 2031-02-28.
 */
async function repayingLoan(): Promise<string> {
  const id = await insertDailyLoan(db, { study_end_date: '2030-01-31', phase: 'REPAYMENT' });
  await db
    .transaction()
    .execute((trx) =>
      insertRepaymentSchedule(
        trx,
        { id, annual_rate_bps: 400, term_months: 12 },
        1_000_000n,
        0n,
        '2031-01-31',
      ),
    );
  return id;
}

/** A loan on the legacy method, its one instalment of 101.00 due 2031-02-25. */
async function legacyLoan(): Promise<string> {
  const legacy: Partial<LoanRow> = {
    interest_method: 'legacy',
    phase: 'REPAYMENT',
    study_end_date: null,
    interest_during_study: null,
    grace_months_after_study: null,
    disbursed_on: null,
    principal_outstanding: '0',
  };
  const id = await insertDailyLoan(db, legacy);
  await db
    .insertInto('instalments')
    .values({
      loan_id: id,
      number: 1,
      due_date: '2031-02-25',
      principal_due: '10000',
      interest_due: '100',
      principal_paid: '0',
      interest_paid: '0',
      overdue_at: null,
    })
    .execute();
  return id;
}

const pay = (loanId: string, number: number, principal: 'all' | bigint) =>
  db
    .updateTable('instalments')
    .set((eb) =>
      principal === 'all'
        ? { principal_paid: eb.ref('principal_due'), interest_paid: eb.ref('interest_due') }
        : { principal_paid: principal.toString() },
    )
    .where('loan_id', '=', loanId)
    .where('number', '=', number)
    .execute();

async function remindersOf(loanId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select('payload')
    .where('aggregate_key', '=', loanId)
    .where('type', '=', 'loan.instalmentDueSoon')
    .orderBy('seq')
    .execute();
  return rows.map((row) => JSON.parse(row.payload));
}

const remindedNumbers = async (loanId: string) =>
  (await remindersOf(loanId)).map((data: { installment: number }) => data.installment);

describe('reminders before due dates in close of business', () => {
  it('reminds once per unpaid instalment within the window, with two runs racing, on both methods', async () => {
    const due = await repayingLoan();
    const partlyPaid = await repayingLoan();
    await pay(partlyPaid, 1, 50_000n);
    const paid = await repayingLoan();
    await pay(paid, 1, 'all');
    const legacy = await legacyLoan();
    const loans = [due, partlyPaid, paid, legacy];

    // Closing 17 February looks as far as the 24th: nothing falls due by then.
    expect((await runCloseOfBusiness(deps(), '2031-02-17')).failures).toBe(0);
    for (const id of loans) expect(await remindersOf(id)).toEqual([]);

    // Closing the 21st looks as far as the 28th; two replicas close it at the same time.
    const runs = await Promise.all([
      runCloseOfBusiness(deps(), '2031-02-21'),
      runCloseOfBusiness(deps(), '2031-02-21'),
    ]);
    expect(runs.map((run) => run.failures)).toEqual([0, 0]);
    const student = async (id: string) =>
      (await db.selectFrom('loans').select('student_id').where('id', '=', id).executeTakeFirstOrThrow())
        .student_id;
    const mwk = (amountMinor: string) => ({ amountMinor, currency: 'MWK' });
    expect(await remindersOf(due)).toEqual([
      {
        loanId: due,
        studentId: await student(due),
        installment: 1,
        dueDate: '2031-02-28',
        amountDue: mwk('85150'),
      },
    ]);
    // What is still unpaid of it, not the instalment's total.
    expect(await remindersOf(partlyPaid)).toMatchObject([{ installment: 1, amountDue: mwk('35150') }]);
    expect(await remindersOf(legacy)).toMatchObject([
      { installment: 1, dueDate: '2031-02-25', amountDue: mwk('10100') },
    ]);
    expect(await remindersOf(paid)).toEqual([]);

    // The next date's run still sees them in its window, and says nothing again.
    await runCloseOfBusiness(deps(), '2031-02-22');
    for (const id of [due, partlyPaid, legacy]) expect(await remindedNumbers(id)).toEqual([1]);
    const claimed = await db
      .selectFrom('instalments')
      .select(['loan_id', 'reminded_at'])
      .where('loan_id', 'in', loans)
      .where('number', '=', 1)
      .execute();
    for (const row of claimed) expect(row.reminded_at === null).toBe(row.loan_id === paid);
  }, 60_000);

  it('looks DUE_REMINDER_DAYS ahead, and not at all with 0', async () => {
    const id = await repayingLoan();
    const off = { ...deps(), config: { DUE_REMINDER_DAYS: 0 } };
    expect(await remindInstalmentsDueSoon(off, '2031-02-27')).toBe(0);
    expect(await remindersOf(id)).toEqual([]);

    // Through close of business, as the service runs it with its configuration: three days ahead.
    const threeDays = { ...deps(), config: { DUE_REMINDER_DAYS: 3 } };
    await runCloseOfBusiness(threeDays, '2031-02-24');
    expect(await remindersOf(id)).toEqual([]);
    await runCloseOfBusiness(threeDays, '2031-02-25');
    expect(await remindersOf(id)).toMatchObject([{ installment: 1, dueDate: '2031-02-28' }]);
  }, 60_000);
});
