import { daysBetween } from './calendar.js';
import { type InstalmentBalance, remainingOf } from './repayment.js';

export interface DatedInstalment extends InstalmentBalance {
  dueDate: string;
}

export interface Arrears {
  /** Days since the earliest unpaid instalment fell due (0 when nothing is late). */
  daysPastDue: number;
  /** What is owed on instalments already past their due date. */
  arrears: bigint;
}

/** An instalment is overdue from the day after its due date while anything of it is unpaid. */
export const isOverdue = (instalment: DatedInstalment, today: string) =>
  instalment.dueDate < today && remainingOf(instalment) > 0n;

/** Arrears as of the business date `today` (YYYY-MM-DD). */
export function arrearsOn(instalments: readonly DatedInstalment[], today: string): Arrears {
  const late = instalments.filter((i) => isOverdue(i, today));
  const earliest = late.reduce<string | undefined>(
    (first, i) => (first === undefined || i.dueDate < first ? i.dueDate : first),
    undefined,
  );
  return {
    daysPastDue: earliest === undefined ? 0 : daysBetween(earliest, today),
    arrears: late.reduce((sum, i) => sum + remainingOf(i), 0n),
  };
}
