import { type Kysely, sql } from 'kysely';

// The token denylist's tables (revocations.ts). revoked_users is created with the event tables
// (createEventTables), which came first; ended_sessions on its own, later.

/** user.disabled, remembered until every token it refuses has expired anyway. */
export interface RevokedUsersTable {
  user_id: string;
  /** Tokens issued at or before this moment are refused. */
  revoked_before: Date;
  expires_at: Date;
  updated_at: Date;
}

/** session.ended, remembered until every token of the session has expired anyway. */
export interface EndedSessionsTable {
  session_id: string;
  user_id: string;
  ended_at: Date;
  expires_at: Date;
}

export interface RevocationTables {
  revoked_users: RevokedUsersTable;
  ended_sessions: EndedSessionsTable;
}

/**
 * The kit's table of ended sessions (session.ended), added after the event tables. A service lists it
 * under its next migration number:
 *
 *   { name: '0009_create_ended_sessions', up: createEndedSessionsTable },
 */
export async function createEndedSessionsTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ended_sessions')
    .addColumn('session_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('ended_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('ended_sessions_expires_at')
    .on('ended_sessions')
    .column('expires_at')
    .execute();
}
