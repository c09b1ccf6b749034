import { Conflict, NotFound, PreconditionFailed, PreconditionRequired } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { SealedField } from '../domain/sensitive-fields.js';
import type { BankAccountRow, GuardianRow, PersonalDetailsRow, StudentsDatabase } from './schema.js';

type Db = Kysely<StudentsDatabase>;

export function getPersonal(db: Db, studentId: string): Promise<PersonalDetailsRow | undefined> {
  return db.selectFrom('personal_details').selectAll().where('student_id', '=', studentId).executeTakeFirst();
}

export function listGuardians(db: Db, studentId: string): Promise<GuardianRow[]> {
  return db.selectFrom('guardians').selectAll().where('student_id', '=', studentId).orderBy('id').execute();
}

export function listBankAccounts(db: Db, studentId: string): Promise<BankAccountRow[]> {
  return db
    .selectFrom('bank_accounts')
    .selectAll()
    .where('student_id', '=', studentId)
    .orderBy('id')
    .execute();
}

/** A student's own guardian only: another student's id is simply not found. */
export async function getGuardian(db: Db, studentId: string, id: string): Promise<GuardianRow> {
  const row = await db
    .selectFrom('guardians')
    .selectAll()
    .where('id', '=', id)
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  if (!row) throw new NotFound('guardian_not_found', 'No such guardian in your file.');
  return row;
}

/** A student's own bank account only. */
export async function getBankAccount(db: Db, studentId: string, id: string): Promise<BankAccountRow> {
  const row = await db
    .selectFrom('bank_accounts')
    .selectAll()
    .where('id', '=', id)
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  if (!row) throw new NotFound('bank_account_not_found', 'No such bank account in your file.');
  return row;
}

export interface PersonalColumns {
  first_name: string;
  surname: string;
  date_of_birth: string;
  gender: PersonalDetailsRow['gender'];
  phone: string;
  home_village: string;
  traditional_authority: string;
  district: string;
  postal_address: string;
  institution: string;
  programme: string;
  year_of_study: number;
}

async function uniqueOr<T>(work: () => Promise<T>, conflict: () => Conflict): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') throw conflict();
    throw error;
  }
}

const nationalIdTaken = () =>
  new Conflict('national_id_taken', 'This national ID is already on another bonding file.');
export const bankAccountTaken = () =>
  new Conflict('bank_account_already_filed', 'This bank account is already on a bonding file.');
export const stale = () =>
  new PreconditionFailed('etag_mismatch', 'Your copy is out of date; read it again and retry.');

/**
 * Creates the personal details, or replaces them when If-Match names the
 * current version. Creating needs no If-Match; replacing requires it.
 */
export async function savePersonal(
  db: Db,
  studentId: string,
  columns: PersonalColumns,
  nationalId: SealedField,
  expectedVersion: number | undefined,
  now: Date,
): Promise<void> {
  const existing = await getPersonal(db, studentId);
  const sensitive = {
    national_id_sealed: nationalId.sealed,
    national_id_index: nationalId.index,
    national_id_last4: nationalId.last4,
  };
  if (!existing) {
    await uniqueOr(
      () =>
        db
          .insertInto('personal_details')
          .values({
            student_id: studentId,
            ...columns,
            ...sensitive,
            created_at: now,
            updated_at: now,
            version: 1,
          })
          .execute(),
      // Either this student raced themself, or the national ID is on someone else's file.
      nationalIdTaken,
    );
    return;
  }
  if (expectedVersion === undefined) {
    throw new PreconditionRequired(
      'if_match_required',
      'Send If-Match with the ETag of your personal details to replace them.',
    );
  }
  const result = await uniqueOr(
    () =>
      db
        .updateTable('personal_details')
        .set({ ...columns, ...sensitive, updated_at: now, version: expectedVersion + 1 })
        .where('student_id', '=', studentId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst(),
    nationalIdTaken,
  );
  if (Number(result.numUpdatedRows) !== 1) throw stale();
}

export { uniqueOr };
