import type { LoansDeps } from './deps.js';
import { previousDate } from './domain/calendar.js';
import { claimInstalments } from './instalment-claims.js';

/**
 * Marks instalments that fell due unpaid before the business date `today` as
 * overdue and emits loan.overdue once for each, whichever replica claims it
 * (instalment-claims.ts); close of business runs it for the date it opens
 * (lending/close-of-business.ts). Returns how many it marked.
 */
export async function markOverdueInstalments(
  deps: Pick<LoansDeps, 'db' | 'now' | 'logger'>,
  today: string,
): Promise<number> {
  const marked = await claimInstalments(deps, {
    column: 'overdue_at',
    dueThrough: previousDate(today),
    event: ({ loan, number, dueDate, unpaid }) => ({
      type: 'loan.overdue',
      version: 1,
      data: {
        loanId: loan.id,
        studentId: loan.student_id,
        installment: number,
        dueDate,
        overdue: { amountMinor: unpaid.toString(), currency: loan.currency },
      },
    }),
  });
  if (marked > 0) deps.logger.info({ marked }, 'instalments marked overdue');
  return marked;
}
