import { retryOnDeadlock } from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import type { StudentsDatabase } from './schema.js';

/** Guardians and bank accounts share one rule: each student has exactly one primary. */
export type WithPrimary = 'guardians' | 'bank_accounts';
type Trx = Transaction<StudentsDatabase>;

/** Makes `id` the student's only primary. Locks the student's rows first, in id order, so writers queue. */
export async function makeOnlyPrimary(
  trx: Trx,
  table: WithPrimary,
  studentId: string,
  id: string,
): Promise<void> {
  await trx
    .selectFrom(table)
    .select('id')
    .where('student_id', '=', studentId)
    .orderBy('id')
    .forUpdate()
    .execute();
  await trx
    .updateTable(table)
    .set({ is_primary: 0 })
    .where('student_id', '=', studentId)
    .where('id', '!=', id)
    .execute();
  await trx.updateTable(table).set({ is_primary: 1 }).where('id', '=', id).execute();
}

/** After an insert or delete: if the student has rows but no primary, the oldest becomes primary. */
export async function ensureOnePrimary(trx: Trx, table: WithPrimary, studentId: string): Promise<void> {
  const rows = await trx
    .selectFrom(table)
    .select(['id', 'is_primary'])
    .where('student_id', '=', studentId)
    .orderBy('id')
    .forUpdate()
    .execute();
  const oldest = rows[0];
  if (oldest && !rows.some((row) => row.is_primary)) {
    await trx.updateTable(table).set({ is_primary: 1 }).where('id', '=', oldest.id).execute();
  }
}

/**
 * A transaction over one student's guardians or bank accounts. Concurrent adds
 * for the same student can deadlock on InnoDB's gap locks; the victim is rolled
 * back whole and simply runs again.
 */
export function inFileTransaction<T>(
  db: Kysely<StudentsDatabase>,
  work: (trx: Trx) => Promise<T>,
): Promise<T> {
  return retryOnDeadlock(() => db.transaction().execute(work));
}
