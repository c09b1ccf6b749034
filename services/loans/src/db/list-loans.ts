import type { Kysely } from 'kysely';
import type { LoanStatus } from '../domain/loan-states.js';
import { selectLoans } from './loans.js';
import type { LoanRow, LoansDatabase } from './schema.js';

/** Newest first (ids are UUIDv7), one row more than the page to prove there is a next one. */
export async function listLoans(
  db: Kysely<LoansDatabase>,
  filter: { studentId?: string | undefined; status?: LoanStatus | undefined; after?: string; limit: number },
): Promise<LoanRow[]> {
  let query = selectLoans(db);
  if (filter.studentId) query = query.where('student_id', '=', filter.studentId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.after) query = query.where('id', '<', filter.after);
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}
