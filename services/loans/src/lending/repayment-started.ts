import { emitEvent } from '@bonding/kit';
import type { Transaction } from 'kysely';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import type { ScheduledInstalment } from '../domain/lending/repayment-schedule.js';

/**
 * loan.repaymentStarted@1 for the schedule a daily-interest loan was just given on `on`, its first day of
 * repayment, in the transaction that inserted it: the student learns when the first instalment is due and
 * how much it is. A loan with nothing left to repay gets no schedule, and so no event.
 */
export async function announceRepaymentStart(
  trx: Transaction<LoansDatabase>,
  loan: Pick<LoanRow, 'id' | 'student_id' | 'currency'>,
  schedule: readonly ScheduledInstalment[],
  on: string,
  now: Date,
): Promise<void> {
  const [first] = schedule;
  if (!first) return;
  const money = (minor: bigint) => ({ amountMinor: minor.toString(), currency: loan.currency });
  await emitEvent(
    trx,
    {
      type: 'loan.repaymentStarted',
      version: 1,
      data: {
        loanId: loan.id,
        studentId: loan.student_id,
        businessDate: on,
        firstDueDate: first.dueDate,
        instalment: money(first.principal + first.interest),
        instalments: schedule.length,
        principal: money(schedule.reduce((sum, instalment) => sum + instalment.principal, 0n)),
      },
    },
    { now },
  );
}
