import { uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { writeAudit } from './db/audit.js';
import type { IdentityDatabase } from './db/schema.js';
import { findUserByEmail, insertUser } from './db/users.js';
import { hashPassword } from './domain/passwords.js';

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
  const id = uuidv7(now.getTime());
  try {
    await db.transaction().execute(async (trx) => {
      await insertUser(trx, {
        id,
        email: normalised,
        password_hash: await hashPassword(password),
        first_name: 'Platform',
        last_name: 'Administrator',
        role: 'admin',
        status: 'active',
        reg_number: null,
        created_at: now,
        updated_at: now,
        status_changed_at: null,
        version: 1,
      });
      await writeAudit(trx, { actorId: null, action: 'user.first_admin_created', targetId: id }, now);
    });
  } catch (error) {
    // Another replica created it at the same moment.
    if ((error as { code?: string }).code === 'email_taken') return 'exists';
    throw error;
  }
  return 'created';
}
