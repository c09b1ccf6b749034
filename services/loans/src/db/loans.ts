import { type Kysely, sql, type Transaction } from 'kysely';
import type { DatedInstalment } from '../domain/arrears.js';
import { type LoanAction, transition } from '../domain/loan-states.js';
import { minorUnits } from '../domain/money.js';
import { invalidTransition, loanNotFound } from '../errors.js';
import type { InstalmentRow, LoanRow, LoansDatabase, LoansTable } from './schema.js';

type Db = Kysely<LoansDatabase> | Transaction<LoansDatabase>;

/** A DATE column as YYYY-MM-DD, read as text so the process's time zone never moves it. */
export const dateText = (column: string) => sql<string>`DATE_FORMAT(${sql.ref(column)}, '%Y-%m-%d')`;

/** Every column of a loan, its DATE columns as text (the later, same-named columns win). */
export const selectLoans = (db: Db) =>
  db
    .selectFrom('loans')
    .selectAll()
    .select([
      dateText('study_end_date').as('study_end_date'),
      dateText('disbursed_on').as('disbursed_on'),
      dateText('accrued_through').as('accrued_through'),
    ]);

export async function findLoan(db: Db, id: string): Promise<LoanRow | undefined> {
  return selectLoans(db).where('id', '=', id).executeTakeFirst();
}

/** The loan, locked for the rest of the transaction: every change to a loan goes through here first. */
export async function lockLoan(trx: Transaction<LoansDatabase>, id: string): Promise<LoanRow> {
  const row = await selectLoans(trx).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw loanNotFound(id);
  return row;
}

export interface Move {
  action: LoanAction;
  actorId: string | null;
  reason?: string | null;
  now: Date;
  /** Other columns that change with the status (decided_by, disbursed_at, …). */
  set?: Partial<Omit<LoansTable, 'id' | 'status' | 'version'>>;
}

/**
 * Applies one state-machine move to a locked loan and records it in the
 * history; a move the machine refuses is 409 and changes nothing.
 */
export async function moveLoan(trx: Transaction<LoansDatabase>, loan: LoanRow, move: Move): Promise<LoanRow> {
  const next = transition(loan.status, move.action);
  if (!next.ok) throw invalidTransition(loan.status, move.action);
  const changes = { ...move.set, status: next.to, version: loan.version + 1, updated_at: move.now };
  await trx.updateTable('loans').set(changes).where('id', '=', loan.id).execute();
  await recordHistory(trx, {
    loanId: loan.id,
    from: loan.status,
    to: next.to,
    actorId: move.actorId,
    reason: move.reason ?? null,
    now: move.now,
  });
  return { ...loan, ...changes };
}

export async function recordHistory(
  trx: Transaction<LoansDatabase>,
  entry: {
    loanId: string;
    from: LoanRow['status'] | null;
    to: LoanRow['status'];
    actorId: string | null;
    reason: string | null;
    now: Date;
  },
): Promise<void> {
  await trx
    .insertInto('loan_history')
    .values({
      loan_id: entry.loanId,
      from_status: entry.from,
      to_status: entry.to,
      actor_id: entry.actorId,
      reason: entry.reason,
      occurred_at: entry.now,
    })
    .execute();
}

/** Instalments of these loans, in order; keyed by loan id. */
export async function instalmentsOf(db: Db, loanIds: string[]): Promise<Map<string, InstalmentRow[]>> {
  const byLoan = new Map<string, InstalmentRow[]>();
  if (loanIds.length === 0) return byLoan;
  const rows = await db
    .selectFrom('instalments')
    .selectAll()
    // DATE as text: a calendar day must not pass through a time zone.
    .select(sql<string>`DATE_FORMAT(due_date, '%Y-%m-%d')`.as('due_date'))
    .where('loan_id', 'in', loanIds)
    .orderBy('loan_id')
    .orderBy('number')
    .execute();
  for (const row of rows) {
    const list = byLoan.get(row.loan_id) ?? [];
    list.push(row);
    byLoan.set(row.loan_id, list);
  }
  return byLoan;
}

/** Stored instalments as the domain's rules take them. */
export function datedInstalments(rows: InstalmentRow[]): DatedInstalment[] {
  return rows.map((row) => ({
    number: row.number,
    dueDate: row.due_date,
    principalDue: minorUnits(row.principal_due),
    interestDue: minorUnits(row.interest_due),
    principalPaid: minorUnits(row.principal_paid),
    interestPaid: minorUnits(row.interest_paid),
  }));
}
