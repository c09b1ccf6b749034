import type { EventInput } from '@bonding/contracts';
import { emitEvent } from '@bonding/kit';
import { sql, type Transaction } from 'kysely';
import type { LoansDatabase } from './db/schema.js';
import type { LoansDeps } from './deps.js';
import { minorUnits } from './domain/money.js';

const BATCH = 200;

/** An unpaid instalment of a DISBURSED loan, as a claim's event describes it. */
export interface ClaimedInstalment {
  loan: { id: string; student_id: string; currency: string };
  number: number;
  dueDate: string;
  /** What is unpaid of it, minor units (> 0). */
  unpaid: bigint;
}

export interface InstalmentClaim {
  /** The column that records the claim: each instalment is claimed once, by whichever run gets there first. */
  column: 'overdue_at' | 'reminded_at';
  /** Due dates after this one (exclusive), if bounded below. */
  dueAfter?: string;
  /** Due dates up to this one (inclusive). */
  dueThrough: string;
  /** The event announcing a claimed instalment, written in the claim's transaction. */
  event: (claimed: ClaimedInstalment) => EventInput;
}

/**
 * Claims every unpaid instalment of a DISBURSED loan whose due date falls in the claim's window and was not
 * claimed yet, and emits its event once. Safe with any number of replicas running it at once: each
 * instalment is claimed by a conditional update (`<column> IS NULL`) in the transaction that emits its
 * event, after locking the loan row (as every change to a loan does, so its events stay in order). Its
 * window and unpaid amount are checked again under the lock: a payment or a prepayment's rebuilt schedule
 * since the scan is respected. Returns how many it claimed.
 */
export async function claimInstalments(
  deps: Pick<LoansDeps, 'db' | 'now'>,
  claim: InstalmentClaim,
): Promise<number> {
  const inWindow = (due: string) => due <= claim.dueThrough && (!claim.dueAfter || due > claim.dueAfter);
  let claimed = 0;
  for (;;) {
    let scan = deps.db
      .selectFrom('instalments')
      .innerJoin('loans', 'loans.id', 'instalments.loan_id')
      .select(['instalments.loan_id', 'instalments.number'])
      .where(`instalments.${claim.column}`, 'is', null)
      .where('instalments.due_date', '<=', claim.dueThrough)
      .where('loans.status', '=', 'DISBURSED')
      .where((eb) =>
        eb.or([
          eb('instalments.principal_paid', '<', eb.ref('instalments.principal_due')),
          eb('instalments.interest_paid', '<', eb.ref('instalments.interest_due')),
        ]),
      );
    if (claim.dueAfter) scan = scan.where('instalments.due_date', '>', claim.dueAfter);
    const candidates = await scan.orderBy('instalments.due_date').limit(BATCH).execute();
    let thisRound = 0;
    for (const candidate of candidates) {
      const done = await deps.db
        .transaction()
        .execute((trx) => claimOne(trx, candidate.loan_id, candidate.number, claim, inWindow, deps.now()));
      if (done) thisRound++;
    }
    claimed += thisRound;
    if (candidates.length < BATCH || thisRound === 0) break;
  }
  return claimed;
}

async function claimOne(
  trx: Transaction<LoansDatabase>,
  loanId: string,
  number: number,
  claim: InstalmentClaim,
  inWindow: (due: string) => boolean,
  now: Date,
): Promise<boolean> {
  const loan = await trx
    .selectFrom('loans')
    .select(['id', 'student_id', 'currency', 'status'])
    .where('id', '=', loanId)
    .forUpdate()
    .executeTakeFirst();
  if (loan?.status !== 'DISBURSED') return false;
  const instalment = await trx
    .selectFrom('instalments')
    .select(['number', 'principal_due', 'principal_paid', 'interest_due', 'interest_paid'])
    .select(sql<string>`DATE_FORMAT(due_date, '%Y-%m-%d')`.as('due_date'))
    .where('loan_id', '=', loanId)
    .where('number', '=', number)
    .where(claim.column, 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!instalment || !inWindow(instalment.due_date)) return false;
  const unpaid =
    minorUnits(instalment.principal_due) -
    minorUnits(instalment.principal_paid) +
    (minorUnits(instalment.interest_due) - minorUnits(instalment.interest_paid));
  if (unpaid <= 0n) return false;
  const result = await trx
    .updateTable('instalments')
    .set({ [claim.column]: now })
    .where('loan_id', '=', loanId)
    .where('number', '=', number)
    .where(claim.column, 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await emitEvent(trx, claim.event({ loan, number, dueDate: instalment.due_date, unpaid }), { now });
  return true;
}
