import { emitEvent, type Logger } from '@bonding/kit';
import { type Kysely, sql } from 'kysely';
import { lockLoan } from '../db/loans.js';
import type { LoansDatabase } from '../db/schema.js';
import { nextDate } from './business-date.js';
import { moveTranche, requestRelease, selectTranches } from './tranches.js';

interface TrancheDayDeps {
  db: Kysely<LoansDatabase>;
  logger: Logger;
  now: () => Date;
}

/**
 * Close of business for `date`, for tranches: those not released within their loan's
 * tranche_expiry_days of the planned date lapse (the morning of the day the period is over), then
 * certified tranches whose planned date is the next business date (or passed) are released, value-dated
 * on it. Each tranche in a transaction of its own that locks its loan first, as every change to a loan
 * does; the conditional status moves make a second run (a replica, a rerun) change nothing. Answers how
 * many failed, for the run's count.
 */
export async function closeTranchesDay(deps: TrancheDayDeps, date: string): Promise<number> {
  const opening = nextDate(date);
  let failures = 0;
  const each = async (
    ids: { id: string; loan_id: string }[],
    work: (loanId: string, id: string) => Promise<void>,
  ) => {
    for (const { id, loan_id: loanId } of ids) {
      try {
        await work(loanId, id);
      } catch (error) {
        failures++;
        deps.logger.error({ err: error, loanId, trancheId: id, businessDate: date }, 'tranche step failed');
      }
    }
  };

  const stale = await deps.db
    .selectFrom('tranches')
    .innerJoin('loans', 'loans.id', 'tranches.loan_id')
    .select(['tranches.id', 'tranches.loan_id'])
    .where('tranches.status', 'in', ['PLANNED', 'CERTIFIED'])
    .where('loans.tranche_expiry_days', 'is not', null)
    .where(
      sql<boolean>`DATE_ADD(tranches.planned_date, INTERVAL loans.tranche_expiry_days DAY) <= ${opening}`,
    )
    .execute();
  await each(stale, (loanId, id) =>
    deps.db.transaction().execute(async (trx) => {
      const loan = await lockLoan(trx, loanId);
      const tranche = await selectTranches(trx).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      const now = deps.now();
      if (!(await moveTranche(trx, tranche, ['PLANNED', 'CERTIFIED'], 'LAPSED', {}, now))) return;
      await emitEvent(
        trx,
        {
          type: 'tranche.lapsed',
          version: 1,
          data: {
            loanId,
            studentId: loan.student_id,
            trancheId: id,
            number: tranche.number,
            businessDate: opening,
          },
        },
        { now },
      );
    }),
  );

  const due = await deps.db
    .selectFrom('tranches')
    .innerJoin('loans', 'loans.id', 'tranches.loan_id')
    .select(['tranches.id', 'tranches.loan_id'])
    .where('tranches.status', '=', 'CERTIFIED')
    .where(sql<boolean>`tranches.planned_date <= ${opening}`)
    .where('loans.status', 'in', ['APPROVED', 'DISBURSED'])
    .execute();
  await each(due, (loanId, id) =>
    deps.db.transaction().execute(async (trx) => {
      const loan = await lockLoan(trx, loanId);
      if (loan.status !== 'APPROVED' && loan.status !== 'DISBURSED') return;
      const tranche = await selectTranches(trx).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      if (tranche.status === 'CERTIFIED') await requestRelease(trx, loan, tranche, opening, deps.now());
    }),
  );
  return failures;
}
