import { type Kysely, sql } from 'kysely';
import type { LoansDatabase } from './schema.js';

/**
 * Runs `work` holding a MySQL named lock for this loan's repayments, so two
 * repayments of one loan (from any replica) are checked against what is
 * outstanding one after the other — the check and the ledger call happen
 * outside any transaction, and the lock keeps them from overpaying together.
 * Returns undefined when the lock could not be had within `waitSeconds`.
 */
export async function withRepaymentLock<T>(
  db: Kysely<LoansDatabase>,
  loanId: string,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  return db.connection().execute(async (connection) => {
    const name = `loans.repay.${loanId}`;
    const got = await sql<{ got: number | null }>`SELECT GET_LOCK(${name}, ${waitSeconds}) AS got`.execute(
      connection,
    );
    if (Number(got.rows[0]?.got) !== 1) return undefined;
    try {
      return { value: await work() };
    } finally {
      await sql`SELECT RELEASE_LOCK(${name})`.execute(connection);
    }
  });
}
