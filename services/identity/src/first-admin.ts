import { emitEvent } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { writeAudit } from './db/audit.js';
import type { IdentityDatabase } from './db/schema.js';
import { findUserByEmail, insertUser, newUserRow } from './db/users.js';
import { directoryEntry } from './domain/user-events.js';

/**
 * Creates the configured first admin unless that e-mail already has an account.
 * An existing account is left as it is: the password is never reset from config.
 */
export async function ensureFirstAdmin(
  db: Kysely<IdentityDatabase>,
  email: string,
  password: string,
  now: Date,
): Promise<'created' | 'exists'> {
  const normalised = email.trim().toLowerCase();
  if (await findUserByEmail(db, normalised)) return 'exists';
  const row = await newUserRow(
    {
      email: normalised,
      password,
      firstName: 'Platform',
      lastName: 'Administrator',
      role: 'admin',
      // The operator configured this address: nothing to prove.
      emailVerifiedAt: now,
    },
    now,
  );
  try {
    await db.transaction().execute(async (trx) => {
      await insertUser(trx, row);
      await emitEvent(trx, { type: 'user.registered', version: 1, data: directoryEntry(row) }, { now });
      await writeAudit(trx, { actorId: null, action: 'user.first_admin_created', targetId: row.id }, now);
    });
  } catch (error) {
    // Another replica created it at the same moment.
    if ((error as { code?: string }).code === 'email_taken') return 'exists';
    throw error;
  }
  return 'created';
}
