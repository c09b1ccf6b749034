import { emitEvent, type Logger } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { markOverdueInstalments } from '../arrears.js';
import type { LoansDatabase } from '../db/schema.js';
import { remindInstalmentsDueSoon } from '../due-reminders.js';
import { dateText, nextDate } from './business-date.js';
import { closeLoanDay } from './loan-day.js';
import { closeTranchesDay } from './tranche-day.js';

/** Loans read per round: each is then closed in a transaction of its own. */
const BATCH = 200;

export interface CobDeps {
  db: Kysely<LoansDatabase>;
  logger: Logger;
  now: () => Date;
}

export interface CobOutcome {
  businessDate: string;
  loansProcessed: number;
  failures: number;
  durationMs: number;
}

/**
 * Close of business for `date` over every active daily-interest loan, each in its own transaction
 * (lending/loan-day.ts), so a crash loses at most the loan in hand and a rerun closes only what is left;
 * two replicas running it at once close each loan once (the loan row lock and the (loan, date) row). A
 * loan that fails is logged and counted, and is tried again by the next run for that date. Then, for loans
 * of every method, instalments unpaid after their due date are marked overdue (arrears.ts). The run is
 * recorded per date (`cob_runs`), and lending.closeOfBusinessCompleted@1 says when it finished.
 */
export async function runCloseOfBusiness(deps: CobDeps, date: string): Promise<CobOutcome> {
  const { db, logger } = deps;
  const started = deps.now();
  await db
    .insertInto('cob_runs')
    .values({ business_date: date, started_at: started, finished_at: null, duration_ms: null })
    .onDuplicateKeyUpdate({ started_at: started, finished_at: null })
    .execute();
  let processed = 0;
  let failures = 0;
  let after = '';
  for (;;) {
    const batch = await db
      .selectFrom('loans')
      .select('id')
      .where('interest_method', '=', 'daily')
      .where('status', '=', 'DISBURSED')
      .where('id', '>', after)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('cob_loan_days')
              .select('loan_id')
              .whereRef('cob_loan_days.loan_id', '=', 'loans.id')
              .where(dateText('cob_loan_days.business_date'), '=', date),
          ),
        ),
      )
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const { id } of batch) {
      try {
        const closed = await db.transaction().execute((trx) => closeLoanDay(trx, id, date, deps.now()));
        if (closed) processed++;
      } catch (error) {
        failures++;
        logger.error({ err: error, loanId: id, businessDate: date }, 'close of business failed for a loan');
      }
    }
    if (batch.length < BATCH) break;
    after = (batch.at(-1) as { id: string }).id;
  }
  // Tranches lapse, or are released for the next business date.
  failures += await closeTranchesDay(deps, date);
  // Last, on every method: what fell due by `date` and is unpaid is overdue from the next business date.
  try {
    await markOverdueInstalments(deps, nextDate(date));
  } catch (error) {
    failures++;
    logger.error({ err: error, businessDate: date }, 'close of business could not mark overdue instalments');
  }
  // Then, on every method: the student hears once of each instalment falling due within DUE_REMINDER_DAYS.
  try {
    await remindInstalmentsDueSoon(deps, date);
  } catch (error) {
    failures++;
    logger.error({ err: error, businessDate: date }, 'close of business could not send due reminders');
  }
  const finished = deps.now();
  const durationMs = finished.getTime() - started.getTime();
  await db.transaction().execute(async (trx) => {
    const run = await trx
      .selectFrom('cob_runs')
      .select(['loans_processed', 'failures'])
      .where(dateText('business_date'), '=', date)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const loansProcessed = run.loans_processed + processed;
    await trx
      .updateTable('cob_runs')
      .set({ finished_at: finished, loans_processed: loansProcessed, failures, duration_ms: durationMs })
      .where(dateText('business_date'), '=', date)
      .execute();
    await emitEvent(
      trx,
      {
        type: 'lending.closeOfBusinessCompleted',
        version: 1,
        data: { businessDate: date, loansProcessed, failures },
      },
      { now: finished },
    );
  });
  return { businessDate: date, loansProcessed: processed, failures, durationMs };
}
