// Close of business over a book of daily-interest loans (issue #20): the loans are written straight into
// the bench's loans database (no route raises daily-interest loans yet), then one business date is closed
// by the service's own engine (services/loans/src/lending/close-of-business.ts), in this process, as a
// replica's run would do it. What it measures is the engine against MariaDB: loans per second.
import { randomUUID } from 'node:crypto';
import { createDatabase, createLogger, uuidv7 } from '../../packages/kit/src/index.js';
import { legacyLendingFields } from '../../services/loans/src/db/legacy-lending.js';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import { runCloseOfBusiness } from '../../services/loans/src/lending/close-of-business.js';

/** Far enough ahead that no other run of the bench (or npm start) has closed it. */
const BENCH_DATE_BASE = Date.parse('2090-01-01T00:00:00Z');

export interface CobBenchResult {
  loans: number;
  seconds: number;
  loansPerSecond: number;
  failures: number;
}

/** Tops the bench book up to `count` daily-interest loans (kept between runs, like the other seeds). */
async function ensureBook(db: ReturnType<typeof createDatabase<LoansDatabase>>['db'], count: number) {
  const have = Number(
    (
      await db
        .selectFrom('loans')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('interest_method', '=', 'daily')
        .where('status', '=', 'DISBURSED')
        .executeTakeFirstOrThrow()
    ).n,
  );
  const at = new Date();
  for (let made = have; made < count; made += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, count - made) }, () => ({
      id: uuidv7(),
      student_id: randomUUID(),
      created_by: randomUUID(),
      product_id: randomUUID(),
      principal: '1000000',
      term_months: 60,
      purpose: 'bench book',
      academic_year: '2089/2090',
      currency: 'MWK',
      annual_rate_bps: 400,
      grace_period_months: 0,
      min_principal: '1',
      max_principal: '100000000',
      min_term_months: 1,
      max_term_months: 120,
      status: 'DISBURSED' as const,
      version: 1,
      decided_by: null,
      failure_reason: null,
      disbursed_at: at,
      disbursement_transfer_id: randomUUID(),
      idempotency_key: randomUUID(),
      created_at: at,
      updated_at: at,
      ...legacyLendingFields,
      interest_method: 'daily' as const,
      phase: 'IN_SCHOOL' as const,
      // Studying for the whole bench's future: every run accrues, none builds a schedule.
      study_end_date: '2199-06-30',
      interest_during_study: 'capitalised' as const,
      grace_months_after_study: 12,
      disbursed_on: '2089-09-01',
      principal_outstanding: '1000000',
    }));
    await db.insertInto('loans').values(rows).execute();
  }
}

/** Closes the next unclosed bench date over `count` loans; answers the throughput. */
export async function benchCloseOfBusiness(mysqlUrl: string, count: number): Promise<CobBenchResult> {
  const database = createDatabase<LoansDatabase>({ url: mysqlUrl, poolSize: 4 });
  try {
    await ensureBook(database.db, count);
    const runs = Number(
      (
        await database.db
          .selectFrom('cob_runs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('business_date', '>=', '2090-01-01')
          .executeTakeFirstOrThrow()
      ).n,
    );
    const date = new Date(BENCH_DATE_BASE + runs * 86_400_000).toISOString().slice(0, 10);
    const logger = createLogger({ service: 'bench-cob', level: 'warn' });
    const started = performance.now();
    const outcome = await runCloseOfBusiness({ db: database.db, logger, now: () => new Date() }, date);
    const seconds = (performance.now() - started) / 1000;
    return {
      loans: outcome.loansProcessed,
      seconds,
      loansPerSecond: outcome.loansProcessed / seconds,
      failures: outcome.failures,
    };
  } finally {
    await database.close();
  }
}
