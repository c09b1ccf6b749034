import type { Kysely, Transaction } from 'kysely';
import type { GuarantorContactRow, NotificationsDatabase } from './schema.js';

type Db = Kysely<NotificationsDatabase> | Transaction<NotificationsDatabase>;

/** Keeps a guarantor's address from loan.guarantorRequested@1; a redelivery changes nothing. */
export async function rememberGuarantor(
  trx: Db,
  contact: {
    guarantorId: string;
    loanId: string;
    studentId: string;
    email: string;
    firstName: string;
    surname: string;
  },
  at: Date,
): Promise<void> {
  await trx
    .insertInto('guarantor_contacts')
    .values({
      guarantor_id: contact.guarantorId,
      loan_id: contact.loanId,
      student_id: contact.studentId,
      email: contact.email,
      first_name: contact.firstName,
      surname: contact.surname,
      consented: 0,
      created_at: at,
    })
    .onDuplicateKeyUpdate({ guarantor_id: contact.guarantorId })
    .execute();
}

export async function markConsented(trx: Db, guarantorId: string): Promise<void> {
  await trx
    .updateTable('guarantor_contacts')
    .set({ consented: 1 })
    .where('guarantor_id', '=', guarantorId)
    .execute();
}

/** A guarantor who declined, or whose consent new terms voided, is written to no more: their address goes. */
export async function forgetGuarantors(trx: Db, guarantorIds: readonly string[]): Promise<void> {
  if (guarantorIds.length === 0) return;
  await trx.deleteFrom('guarantor_contacts').where('guarantor_id', 'in', guarantorIds).execute();
}

/** Those who guarantee the loan: they consented, and no new terms voided it since. */
export function consentedGuarantors(trx: Db, loanId: string): Promise<GuarantorContactRow[]> {
  return trx
    .selectFrom('guarantor_contacts')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('consented', '=', 1)
    .orderBy('guarantor_id')
    .execute();
}

/** A repaid loan needs its guarantors no more. */
export async function forgetLoanGuarantors(trx: Db, loanId: string): Promise<void> {
  await trx.deleteFrom('guarantor_contacts').where('loan_id', '=', loanId).execute();
}
