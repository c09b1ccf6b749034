import { emitEvent } from '@bonding/kit';
import { sql } from 'kysely';
import { DUE_REMINDER_DAYS_DEFAULT, type LoansConfig } from './config.js';
import type { LoansDeps } from './deps.js';
import { minorUnits } from './domain/money.js';

const BATCH = 200;
const DAY_MS = 86_400_000;

/**
 * The service hands close of business its whole deps, config included; the close-of-business tests and
 * the bench hand it only what the run needs, and then the default applies.
 */
export type DueReminderDeps = Pick<LoansDeps, 'db' | 'now' | 'logger'> & {
  config?: Pick<LoansConfig, 'DUE_REMINDER_DAYS'>;
};

/** `days` calendar days after the business date `date`. */
function daysAfter(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Close of business for `date` reminds students of what falls due soon: every instalment of a DISBURSED
 * loan (either interest method) due after `date` and at most DUE_REMINDER_DAYS after it, with something
 * unpaid, gets loan.instalmentDueSoon once. Safe with any number of replicas running it at once: each
 * instalment is claimed by a conditional update (`reminded_at IS NULL`) in the transaction that emits its
 * event, as arrears.ts does for loan.overdue. Returns how many it reminded.
 */
export async function remindInstalmentsDueSoon(deps: DueReminderDeps, date: string): Promise<number> {
  const days = deps.config?.DUE_REMINDER_DAYS ?? DUE_REMINDER_DAYS_DEFAULT;
  if (days === 0) return 0;
  const lastDueDate = daysAfter(date, days);
  let reminded = 0;
  for (;;) {
    const now = deps.now();
    const candidates = await deps.db
      .selectFrom('instalments')
      .innerJoin('loans', 'loans.id', 'instalments.loan_id')
      .select(['instalments.loan_id', 'instalments.number'])
      .where('instalments.reminded_at', 'is', null)
      .where('instalments.due_date', '>', date)
      .where('instalments.due_date', '<=', lastDueDate)
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
          .select(['number', 'principal_due', 'principal_paid', 'interest_due', 'interest_paid'])
          .select(sql<string>`DATE_FORMAT(due_date, '%Y-%m-%d')`.as('due_date'))
          .where('loan_id', '=', candidate.loan_id)
          .where('number', '=', candidate.number)
          .where('reminded_at', 'is', null)
          .forUpdate()
          .executeTakeFirst();
        // Reminded by another run, or rebuilt under another due date by a prepayment since the scan.
        if (!instalment || instalment.due_date <= date || instalment.due_date > lastDueDate) return false;
        const unpaid =
          minorUnits(instalment.principal_due) -
          minorUnits(instalment.principal_paid) +
          (minorUnits(instalment.interest_due) - minorUnits(instalment.interest_paid));
        if (unpaid <= 0n) return false;
        const claim = await trx
          .updateTable('instalments')
          .set({ reminded_at: now })
          .where('loan_id', '=', candidate.loan_id)
          .where('number', '=', candidate.number)
          .where('reminded_at', 'is', null)
          .executeTakeFirst();
        if (claim.numUpdatedRows !== 1n) return false;
        await emitEvent(
          trx,
          {
            type: 'loan.instalmentDueSoon',
            version: 1,
            data: {
              loanId: loan.id,
              studentId: loan.student_id,
              installment: instalment.number,
              dueDate: instalment.due_date,
              amountDue: { amountMinor: unpaid.toString(), currency: loan.currency },
            },
          },
          { now },
        );
        return true;
      });
      if (claimed) claimedThisRound++;
    }
    reminded += claimedThisRound;
    if (candidates.length < BATCH || claimedThisRound === 0) break;
  }
  if (reminded > 0) deps.logger.info({ reminded, businessDate: date }, 'instalments due soon reminded');
  return reminded;
}
