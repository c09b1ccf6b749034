import { Forbidden, type Principal } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { accountNotFound, findAccount } from '../db/accounts.js';
import type { AccountRow, LedgerDatabase } from '../db/schema.js';

/** Loan officers and admins see every account and transfer; students see their own. */
export const isStaff = (principal: Principal) => principal.role === 'admin' || principal.role === 'agent';

/** An account the caller may see; anything else is 404, as if it did not exist. */
export async function visibleAccount(
  db: Kysely<LedgerDatabase>,
  principal: Principal,
  id: string,
): Promise<AccountRow> {
  const row = await findAccount(db, id);
  if (!row || (!isStaff(principal) && row.owner_id !== principal.userId)) throw accountNotFound(id);
  return row;
}

/** An account the caller holds: 404 when they may not see it, 403 when they may see it but not use it. */
export async function heldAccount(
  db: Kysely<LedgerDatabase>,
  principal: Principal,
  id: string,
): Promise<AccountRow> {
  const row = await visibleAccount(db, principal, id);
  if (row.owner_id !== principal.userId) {
    throw new Forbidden('not_account_holder', 'Only the holder of an account may use it.');
  }
  return row;
}
