import { retryOnDeadlock } from '@bonding/kit';
import type { Kysely, Transaction } from 'kysely';
import type { StudentsDatabase } from './schema.js';

type Db = Kysely<StudentsDatabase>;
export type FileTransaction = Transaction<StudentsDatabase>;

/**
 * Creates the student's file row on their first write, committed on its own before anything locks it:
 * concurrent first writers that inserted and locked the row in one transaction would each hold the shared
 * lock a duplicate insert takes and then all want the exclusive one, which is a deadlock.
 */
async function ensureFileRow(db: Db, studentId: string, now: Date): Promise<void> {
  const existing = await db
    .selectFrom('bonding_files')
    .select('student_id')
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  if (existing) return;
  await db.insertInto('bonding_files').ignore().values({ student_id: studentId, created_at: now }).execute();
}

/**
 * Runs `work` as the only writer of the student's guardians and bank accounts. Every such write locks
 * the student's one file row first, so writers queue there and never lock each other's list rows in
 * different orders; what a write costs does not depend on how long the lists are. READ COMMITTED, because
 * REPEATABLE READ's gap locks would also make one student's insert wait on (and deadlock with) another
 * student's writes to the neighbouring index range. A deadlock from elsewhere is still retried.
 */
export async function writeToFile<T>(
  db: Db,
  studentId: string,
  now: Date,
  work: (trx: FileTransaction) => Promise<T>,
): Promise<T> {
  await ensureFileRow(db, studentId, now);
  return retryOnDeadlock(() =>
    db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        await trx
          .selectFrom('bonding_files')
          .select('student_id')
          .where('student_id', '=', studentId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        return work(trx);
      }),
  );
}
