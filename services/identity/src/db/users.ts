import { Conflict, decodeCursor, NotFound, type Role, uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { hashPassword } from '../domain/passwords.js';
import type { IdentityDatabase, NewUser, UserRow, UserStatus } from './schema.js';

type Db = Kysely<IdentityDatabase>;

function isDuplicate(error: unknown): error is { code: string; sqlMessage?: string } {
  return (error as { code?: string }).code === 'ER_DUP_ENTRY';
}

/** Inserts a user; a taken e-mail or registration number is a 409 naming which. */
export async function insertUser(db: Db, user: NewUser): Promise<void> {
  try {
    await db.insertInto('users').values(user).execute();
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    if (error.sqlMessage?.includes('reg_number')) {
      throw new Conflict(
        'reg_number_taken',
        'A student with this registration number is already registered.',
      );
    }
    throw new Conflict('email_taken', 'An account with this e-mail already exists.');
  }
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function getUser(db: Db, id: string): Promise<UserRow> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) throw new NotFound('user_not_found', 'No user with this id.');
  return user;
}

export interface UserFilter {
  role?: Role | undefined;
  status?: UserStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Newest first; fetches one extra row so the caller knows whether a next page exists. */
export function listUsers(db: Db, filter: UserFilter): Promise<UserRow[]> {
  let query = db
    .selectFrom('users')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.cursor) {
    const [afterId] = decodeCursor(filter.cursor, 1);
    query = query.where('id', '<', String(afterId));
  }
  return query.execute();
}

/** Changes a status only if nobody changed the user meanwhile (optimistic, by version). */
export async function updateUserStatus(db: Db, user: UserRow, status: UserStatus, at: Date): Promise<void> {
  const result = await db
    .updateTable('users')
    .set({ status, status_changed_at: at, updated_at: at, version: user.version + 1 })
    .where('id', '=', user.id)
    .where('version', '=', user.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new Conflict('concurrent_update', 'The user changed while this request ran; try again.');
  }
}

export interface NewAccount {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  role: Role;
  regNumber?: string | undefined;
  /** Set only when the address is known good without a code (the first admin, from configuration). */
  emailVerifiedAt?: Date | undefined;
}

/**
 * The row for a new account: argon2id-hashed password, and the status the
 * role starts in — students and admins active at once, agents pending approval.
 */
export async function newUserRow(account: NewAccount, now: Date): Promise<UserRow> {
  return {
    id: uuidv7(now.getTime()),
    email: account.email,
    password_hash: await hashPassword(account.password),
    first_name: account.firstName,
    last_name: account.lastName,
    role: account.role,
    status: account.role === 'agent' ? 'pending' : 'active',
    reg_number: account.regNumber ?? null,
    created_at: now,
    updated_at: now,
    status_changed_at: null,
    email_verified_at: account.emailVerifiedAt ?? null,
    version: 1,
  };
}

/** Replaces the password hash, bumping the version so a concurrent status change notices. */
export async function updatePasswordHash(
  db: Db,
  userId: string,
  passwordHash: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ password_hash: passwordHash, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', userId)
    .execute();
}

/** Marks the user's e-mail verified (idempotent: a later code does not move the moment). */
export async function markEmailVerified(db: Db, userId: string, at: Date): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ email_verified_at: at, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', userId)
    .where('email_verified_at', 'is', null)
    .execute();
}

/**
 * Moves the user to a new, verified address. A taken address is a 409 (the
 * unique index decides, so two accounts racing for one address cannot both win).
 */
export async function updateEmail(db: Db, userId: string, email: string, at: Date): Promise<void> {
  try {
    await db
      .updateTable('users')
      .set((eb) => ({ email, email_verified_at: at, updated_at: at, version: eb('version', '+', 1) }))
      .where('id', '=', userId)
      .execute();
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    throw new Conflict('email_taken', 'An account with this e-mail already exists.');
  }
}
