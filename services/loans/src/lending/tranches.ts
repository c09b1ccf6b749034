import { emitEvent, uuidv7 } from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import { dateText } from '../db/loans.js';
import type { LoanRow, LoansDatabase, TrancheRow, TrancheStatus } from '../db/schema.js';
import type { PlannedTranche } from '../domain/lending/tranche-plan.js';

type Db = Kysely<LoansDatabase> | Transaction<LoansDatabase>;
type Trx = Transaction<LoansDatabase>;

/** A loan's plan, numbered in date order, every tranche PLANNED. */
export async function insertTranches(trx: Trx, loanId: string, plan: readonly PlannedTranche[], now: Date) {
  await trx
    .insertInto('tranches')
    .values(
      plan.map((tranche, index) => ({
        id: uuidv7(now.getTime()),
        loan_id: loanId,
        number: index + 1,
        term_label: tranche.termLabel,
        planned_date: tranche.plannedDate,
        tuition: tranche.tuition.toString(),
        upkeep: tranche.upkeep.toString(),
        status: 'PLANNED' as const,
        certified_by: null,
        certified_on: null,
        requested_on: null,
        released_on: null,
        tuition_transfer_id: null,
        upkeep_transfer_id: null,
        failure_reason: null,
        version: 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

/** Every column of a tranche, its DATE columns as text. */
export const selectTranches = (db: Db) =>
  db
    .selectFrom('tranches')
    .selectAll()
    .select([
      dateText('planned_date').as('planned_date'),
      dateText('certified_on').as('certified_on'),
      dateText('requested_on').as('requested_on'),
      dateText('released_on').as('released_on'),
    ]);

export function tranchesOf(db: Db, loanId: string): Promise<TrancheRow[]> {
  return selectTranches(db).where('loan_id', '=', loanId).orderBy('number').execute();
}

/** Moves a tranche from one of `from` to `to` (with other columns), or answers false if it was not there. */
export async function moveTranche(
  trx: Trx,
  tranche: TrancheRow,
  from: readonly TrancheStatus[],
  to: TrancheStatus,
  set: Partial<Omit<TrancheRow, 'id' | 'loan_id' | 'number' | 'status' | 'version'>>,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('tranches')
    .set({ ...set, status: to, version: tranche.version + 1, updated_at: now })
    .where('id', '=', tranche.id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Asks the ledger to release a tranche (tranche.releaseRequested@1, keyed by the tranche id there, so a
 * repeated request never pays twice): tuition to the loan's institution, upkeep to the student's wallet.
 */
export async function requestRelease(
  trx: Trx,
  loan: Pick<LoanRow, 'id' | 'student_id' | 'currency' | 'institution_id'>,
  tranche: TrancheRow,
  today: string,
  now: Date,
): Promise<boolean> {
  const moved = await moveTranche(
    trx,
    tranche,
    ['PLANNED', 'CERTIFIED', 'RELEASE_FAILED'],
    'RELEASING',
    { requested_on: today, failure_reason: null },
    now,
  );
  if (!moved) return false;
  const money = (amount: string) => ({ amountMinor: amount, currency: loan.currency });
  await emitEvent(
    trx,
    {
      type: 'tranche.releaseRequested',
      version: 1,
      data: {
        loanId: loan.id,
        studentId: loan.student_id,
        trancheId: tranche.id,
        number: tranche.number,
        institutionId: BigInt(tranche.tuition) > 0n ? loan.institution_id : null,
        tuition: money(tranche.tuition),
        upkeep: money(tranche.upkeep),
        businessDate: today,
      },
    },
    { now },
  );
  return true;
}

/** Tranches not yet on their way (studies ended early, or the application withdrawn) will never be. */
export async function cancelOpenTranches(trx: Trx, loanId: string, now: Date): Promise<number> {
  const result = await trx
    .updateTable('tranches')
    .set((eb) => ({ status: 'CANCELLED', version: eb('version', '+', 1), updated_at: now }))
    .where('loan_id', '=', loanId)
    .where('status', 'in', ['PLANNED', 'CERTIFIED'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
