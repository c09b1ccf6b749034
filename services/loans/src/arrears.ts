import { emitEvent } from '@bonding/kit';
import { sql } from 'kysely';
import type { LoansDeps } from './deps.js';
import { minorUnits } from './domain/money.js';

const BATCH = 200;

/**
 * Marks instalments that fell due unpaid before the business date `today` as
 * overdue and emits loan.overdue once for each; close of business runs it for
 * the date it opens (lending/close-of-business.ts). Safe with any number of
 * replicas running it at once: each instalment is claimed by a conditional
 * update (`overdue_at IS NULL`) in the transaction that emits its event, so
 * only the replica whose update changed the row says so. Returns how many it
 * marked.
 */
export async function markOverdueInstalments(
  deps: Pick<LoansDeps, 'db' | 'now' | 'logger'>,
  today: string,
): Promise<number> {
  let marked = 0;
  for (;;) {
    const now = deps.now();
    const candidates = await deps.db
      .selectFrom('instalments')
      .innerJoin('loans', 'loans.id', 'instalments.loan_id')
      .select(['instalments.loan_id', 'instalments.number'])
      .where('instalments.overdue_at', 'is', null)
      .where('instalments.due_date', '<', today)
      .where('loans.status', '=', 'DISBURSED')
      .where((eb) =>
        eb.or([
          eb('instalments.principal_paid', '<', eb.ref('instalments.principal_due')),
          eb('instalments.interest_paid', '<', eb.ref('instalments.interest_due')),
        ]),
      )
      .orderBy('instalments.due_date')
      .limit(BATCH)
      .execute();
    let claimedThisRound = 0;
    for (const candidate of candidates) {
      const claimed = await deps.db.transaction().execute(async (trx) => {
        // The loan row first, as every change to a loan does: its events stay in order.
        const loan = await trx
          .selectFrom('loans')
          .select(['id', 'student_id', 'currency', 'status'])
          .where('id', '=', candidate.loan_id)
          .forUpdate()
          .executeTakeFirst();
        if (loan?.status !== 'DISBURSED') return false;
        const instalment = await trx
          .selectFrom('instalments')
          .selectAll()
          .select(sql<string>`DATE_FORMAT(due_date, '%Y-%m-%d')`.as('due_date'))
          .where('loan_id', '=', candidate.loan_id)
          .where('number', '=', candidate.number)
          .forUpdate()
          .executeTakeFirst();
        if (!instalment || instalment.overdue_at !== null) return false;
        const owed =
          minorUnits(instalment.principal_due) -
          minorUnits(instalment.principal_paid) +
          (minorUnits(instalment.interest_due) - minorUnits(instalment.interest_paid));
        if (owed <= 0n) return false;
        await trx
          .updateTable('instalments')
          .set({ overdue_at: now })
          .where('loan_id', '=', candidate.loan_id)
          .where('number', '=', candidate.number)
          .where('overdue_at', 'is', null)
          .execute();
        await emitEvent(
          trx,
          {
            type: 'loan.overdue',
            version: 1,
            data: {
              loanId: loan.id,
              studentId: loan.student_id,
              installment: instalment.number,
              dueDate: instalment.due_date,
              overdue: { amountMinor: owed.toString(), currency: loan.currency },
            },
          },
          { now },
        );
        return true;
      });
      if (claimed) claimedThisRound++;
    }
    marked += claimedThisRound;
    if (candidates.length < BATCH || claimedThisRound === 0) break;
  }
  if (marked > 0) deps.logger.info({ marked }, 'instalments marked overdue');
  return marked;
}
