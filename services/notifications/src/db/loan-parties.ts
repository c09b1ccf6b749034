import type { Kysely, Transaction } from 'kysely';
import type { NotificationsDatabase } from './schema.js';

type Db = Kysely<NotificationsDatabase> | Transaction<NotificationsDatabase>;

/** Remembers who raised a loan; a repeat of loan.created (a replayed dead letter) changes nothing. */
export async function rememberLoan(
  trx: Db,
  loan: { loanId: string; studentId: string; raisedBy: string },
  at: Date,
): Promise<void> {
  await trx
    .insertInto('loan_parties')
    .values({ loan_id: loan.loanId, student_id: loan.studentId, raised_by: loan.raisedBy, created_at: at })
    .onDuplicateKeyUpdate({ loan_id: loan.loanId })
    .execute();
}

/** Who raised the loan, if this service saw it created. */
export async function raisedByOf(trx: Db, loanId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('loan_parties')
    .select('raised_by')
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  return row?.raised_by ?? null;
}
