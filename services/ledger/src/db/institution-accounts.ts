import { Conflict } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { findOwnedAccount, insertAccount } from './accounts.js';
import type { AccountRow, LedgerDatabase } from './schema.js';

type Db = Kysely<LedgerDatabase>;

/** An institution's account in a currency (whatever its status), if it has one. */
export function findInstitutionAccount(
  db: Db,
  institutionId: string,
  currency: string,
  options: { lock?: boolean } = {},
): Promise<AccountRow | undefined> {
  return findOwnedAccount(db, { ownerKey: institutionId, type: 'institution', currency }, options);
}

/**
 * The institution's account in the currency, opened now if it has none: at its first tranche release, so
 * the ledger needs no list of institutions of its own. No user holds it; staff see it, students never do.
 */
export async function openInstitutionAccountIfMissing(
  db: Db,
  account: { id: string; institutionId: string; currency: string; now: Date },
): Promise<AccountRow> {
  const existing = await findInstitutionAccount(db, account.institutionId, account.currency);
  if (existing) return existing;
  try {
    await insertAccount(db, { ...account, ownerId: null, type: 'institution' });
  } catch (error) {
    // Opened by a release committed meanwhile (another tranche paying the same institution): use that one.
    if (!(error instanceof Conflict)) throw error;
  }
  const opened = await findInstitutionAccount(db, account.institutionId, account.currency, { lock: true });
  if (!opened) throw new Error('institution account vanished after it was opened');
  return opened;
}
