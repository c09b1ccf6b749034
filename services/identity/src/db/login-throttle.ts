import { type Kysely, sql } from 'kysely';
import type { IdentityDatabase } from './schema.js';

export interface ThrottleSettings {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

type Db = Kysely<IdentityDatabase>;

/**
 * Failed sign-ins are counted per e-mail, known or not, so a lockout reveals
 * nothing about which addresses have accounts. Returns seconds left, or 0.
 */
export async function secondsLocked(db: Db, email: string, now: Date): Promise<number> {
  const lock = await db
    .selectFrom('login_locks')
    .select('locked_until')
    .where('email', '=', email)
    .executeTakeFirst();
  if (!lock || lock.locked_until <= now) return 0;
  return Math.ceil((lock.locked_until.getTime() - now.getTime()) / 1000);
}

/** Records a failure; the one that reaches the limit within the window locks the e-mail. */
export async function recordFailure(
  db: Db,
  email: string,
  now: Date,
  settings: ThrottleSettings,
): Promise<void> {
  await db.insertInto('login_attempts').values({ email, created_at: now }).execute();
  const windowStart = new Date(now.getTime() - settings.windowSeconds * 1000);
  const { failures } = await db
    .selectFrom('login_attempts')
    .select((eb) => eb.fn.countAll<string>().as('failures'))
    .where('email', '=', email)
    .where('created_at', '>', windowStart)
    .executeTakeFirstOrThrow();
  if (Number(failures) < settings.maxFailures) return;
  const lockedUntil = new Date(now.getTime() + settings.lockoutSeconds * 1000);
  await db
    .insertInto('login_locks')
    .values({ email, locked_until: lockedUntil })
    .onDuplicateKeyUpdate({ locked_until: sql`VALUES(locked_until)` })
    .execute();
}

/** A successful sign-in forgets earlier failures. */
export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', email).execute();
  await db.deleteFrom('login_locks').where('email', '=', email).execute();
}
