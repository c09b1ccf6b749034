import { type ReadinessCheck, uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { SYSTEM_ACCOUNT_TYPES } from '../domain/accounts.js';
import { findSystemAccount, insertAccount } from './accounts.js';
import type { LedgerDatabase } from './schema.js';

/**
 * Opens the funding and cash account of each currency that lacks them.
 * Idempotent, and safe with several replicas starting at once: the unique key
 * lets one insert win and the others find it. Returns what it opened.
 */
export async function ensureSystemAccounts(
  db: Kysely<LedgerDatabase>,
  currencies: readonly string[],
  now: Date,
): Promise<string[]> {
  const opened: string[] = [];
  for (const currency of currencies) {
    for (const type of SYSTEM_ACCOUNT_TYPES) {
      if (await findSystemAccount(db, type, currency)) continue;
      try {
        await insertAccount(db, { id: uuidv7(now.getTime()), ownerId: null, type, currency, now });
        opened.push(`${type}:${currency}`);
      } catch (error) {
        if ((error as { code?: string }).code !== 'account_exists') throw error;
      }
    }
  }
  return opened;
}

/**
 * Ready once the configured currencies have their system accounts; until then
 * each readiness probe tries to open them (after the migrations have run).
 */
export function systemAccountsReadiness(
  db: Kysely<LedgerDatabase>,
  currencies: readonly string[],
  now: () => Date,
): ReadinessCheck {
  let ensured = false;
  return {
    name: 'system-accounts',
    async check() {
      if (!ensured) {
        await ensureSystemAccounts(db, currencies, now());
        ensured = true;
      }
      return undefined;
    },
  };
}
