import type { Kysely } from 'kysely';
import { getPersonal, listBankAccounts, listGuardians } from '../db/bonding-file.js';
import type { StudentsDatabase } from '../db/schema.js';
import { completenessOf } from '../domain/completeness.js';
import { toBankAccount, toGuardian, toPersonal, toSummary } from './schemas.js';

/** The whole file of one student, masked, with what a loan still needs. */
export async function loadBondingFile(db: Kysely<StudentsDatabase>, studentId: string) {
  const [directory, personal, guardians, bankAccounts] = await Promise.all([
    db.selectFrom('student_directory').selectAll().where('user_id', '=', studentId).executeTakeFirst(),
    getPersonal(db, studentId),
    listGuardians(db, studentId),
    listBankAccounts(db, studentId),
  ]);
  return {
    studentId,
    student: directory ? toSummary(directory) : null,
    personal: personal ? toPersonal(personal) : null,
    guardians: guardians.map(toGuardian),
    bankAccounts: bankAccounts.map(toBankAccount),
    completeness: completenessOf({
      hasPersonal: personal !== undefined,
      guardians: guardians.length,
      hasPrimaryBankAccount: bankAccounts.some((account) => account.is_primary),
    }),
  };
}
