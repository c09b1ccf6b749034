import { createHash, randomBytes } from 'node:crypto';
import { Conflict, emitEvent } from '@bonding/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { LoanRow, LoansDatabase } from '../db/schema.js';

type Db = Kysely<LoansDatabase> | Transaction<LoansDatabase>;

/** How long a guarantor has to answer (docs/lending-model.md, "Guarantors"). */
export const CONSENT_DAYS = 14;

/** 128 random bits: too many to guess, so one SHA-256 (no salt, no stretching) is enough to keep it. */
export const newConsentCode = () => randomBytes(16).toString('base64url');

export const hashConsentCode = (code: string) => createHash('sha256').update(code, 'utf8').digest('hex');

/** `c•••@example.mw`: enough for the student or staff to recognise the address, not to use it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, Math.min(1, at))}•••${email.slice(at)}`;
}

/** Guarantors still counting towards the loan: asked and not yet answered, or consented. */
export const OPEN_STATUSES = ['REQUESTED', 'CONSENTED'] as const;

export async function consentsOf(db: Db, loanId: string): Promise<number> {
  const row = await db
    .selectFrom('loan_guarantors')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('loan_id', '=', loanId)
    .where('status', '=', 'CONSENTED')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Approval waits for the consents the product requires (copied onto the loan when it was raised). */
export async function assertConsentsIn(trx: Transaction<LoansDatabase>, loan: LoanRow): Promise<void> {
  const consented = await consentsOf(trx, loan.id);
  if (consented < loan.guarantors_required) {
    throw new Conflict(
      'guarantor_consents_missing',
      `This loan needs ${loan.guarantors_required} guarantor consent(s) before approval; ${consented} are in.`,
      { extensions: { required: loan.guarantors_required, consented } },
    );
  }
}

/**
 * New terms void what guarantors agreed to or were asked about: they must be asked again, with a new
 * code, about the terms as they now are. Runs in the transaction that changes the terms, and tells
 * notifications, which keeps the addresses of the guarantors it may still have to write to.
 */
export async function voidConsents(
  trx: Transaction<LoansDatabase>,
  loan: LoanRow,
  now: Date,
): Promise<number> {
  const open = await trx
    .selectFrom('loan_guarantors')
    .select('id')
    .where('loan_id', '=', loan.id)
    .where('status', 'in', OPEN_STATUSES)
    .forUpdate()
    .execute();
  if (open.length === 0) return 0;
  const guarantorIds = open.map((row) => row.id);
  await trx
    .updateTable('loan_guarantors')
    .set({ status: 'VOID', updated_at: now })
    .where('id', 'in', guarantorIds)
    .execute();
  await emitEvent(
    trx,
    {
      type: 'loan.guarantorsVoided',
      version: 1,
      data: { loanId: loan.id, studentId: loan.student_id, guarantorIds },
    },
    { now },
  );
  return guarantorIds.length;
}
