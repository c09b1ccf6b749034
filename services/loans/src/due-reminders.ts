import { DUE_REMINDER_DAYS_DEFAULT, type LoansConfig } from './config.js';
import type { LoansDeps } from './deps.js';
import { addDays } from './domain/calendar.js';
import { claimInstalments } from './instalment-claims.js';

/**
 * The service hands close of business its whole deps, config included; the close-of-business tests and
 * the bench hand it only what the run needs, and then the default applies.
 */
export type DueReminderDeps = Pick<LoansDeps, 'db' | 'now' | 'logger'> & {
  config?: Pick<LoansConfig, 'DUE_REMINDER_DAYS'>;
};

/**
 * Close of business for `date` reminds students of what falls due soon: every instalment of a DISBURSED
 * loan (either interest method) due after `date` and at most DUE_REMINDER_DAYS after it, with something
 * unpaid, gets loan.instalmentDueSoon once, whichever replica claims it (instalment-claims.ts, as for
 * loan.overdue). Returns how many it reminded.
 */
export async function remindInstalmentsDueSoon(deps: DueReminderDeps, date: string): Promise<number> {
  const days = deps.config?.DUE_REMINDER_DAYS ?? DUE_REMINDER_DAYS_DEFAULT;
  if (days === 0) return 0;
  const reminded = await claimInstalments(deps, {
    column: 'reminded_at',
    dueAfter: date,
    dueThrough: addDays(date, days),
    event: ({ loan, number, dueDate, unpaid }) => ({
      type: 'loan.instalmentDueSoon',
      version: 1,
      data: {
        loanId: loan.id,
        studentId: loan.student_id,
        installment: number,
        dueDate,
        amountDue: { amountMinor: unpaid.toString(), currency: loan.currency },
      },
    }),
  });
  if (reminded > 0) deps.logger.info({ reminded, businessDate: date }, 'instalments due soon reminded');
  return reminded;
}
