import type { FileTransaction } from './file-lock.js';

/**
 * Guardians and bank accounts share one rule: each student has exactly one primary. These run inside
 * writeToFile, whose lock on the student's file row keeps every other writer of the list out; so they read
 * without locking and change rows by primary key only, taking no lock on the rest of the list.
 */
export type WithPrimary = 'guardians' | 'bank_accounts';

/** How many entries the student's list holds. */
export async function countEntries(trx: FileTransaction, table: WithPrimary, studentId: string) {
  const { entries } = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('entries'))
    .where('student_id', '=', studentId)
    .executeTakeFirstOrThrow();
  return Number(entries);
}

/** Makes `id` the student's only primary. */
export async function makeOnlyPrimary(
  trx: FileTransaction,
  table: WithPrimary,
  studentId: string,
  id: string,
): Promise<void> {
  const others = await trx
    .selectFrom(table)
    .select('id')
    .where('student_id', '=', studentId)
    .where('is_primary', '=', 1)
    .where('id', '!=', id)
    .execute();
  if (others.length > 0) {
    await trx
      .updateTable(table)
      .set({ is_primary: 0 })
      .where(
        'id',
        'in',
        others.map((row) => row.id),
      )
      .execute();
  }
  await trx.updateTable(table).set({ is_primary: 1 }).where('id', '=', id).execute();
}

/** After an insert or delete: if the student has entries but no primary, the oldest becomes primary. */
export async function ensureOnePrimary(
  trx: FileTransaction,
  table: WithPrimary,
  studentId: string,
): Promise<void> {
  const primary = await trx
    .selectFrom(table)
    .select('id')
    .where('student_id', '=', studentId)
    .where('is_primary', '=', 1)
    .executeTakeFirst();
  if (primary) return;
  const oldest = await trx
    .selectFrom(table)
    .select('id')
    .where('student_id', '=', studentId)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (oldest) await trx.updateTable(table).set({ is_primary: 1 }).where('id', '=', oldest.id).execute();
}
