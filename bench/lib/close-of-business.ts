// Close of business over a book of daily-interest loans (issue #20): the loans are written straight into
// the bench's loans database (no route raises daily-interest loans yet), as the loans tests write theirs
// (services/loans/test/daily-loan.ts), then one business date is closed
// by the service's own engine (services/loans/src/lending/close-of-business.ts), in this process, as a
// replica's run would do it. What it measures is the engine against MariaDB: loans per second.
import { createDatabase, createLogger } from '../../packages/kit/src/index.js';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import { runCloseOfBusiness } from '../../services/loans/src/lending/close-of-business.js';
import { dailyLoanRow } from '../../services/loans/test/daily-loan.js';

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
  for (let made = have; made < count; made += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, count - made) }, () =>
      dailyLoanRow({
        term_months: 60,
        purpose: 'bench book',
        academic_year: '2089/2090',
        // Studying for the whole bench's future: every run accrues, none builds a schedule.
        study_end_date: '2199-06-30',
        disbursed_on: '2089-09-01',
      }),
    );
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
