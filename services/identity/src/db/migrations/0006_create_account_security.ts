import { type Kysely, sql } from 'kysely';

/**
 * Account security: one-time codes sent by e-mail (hashed), the per-account
 * counters of rate-limited requests, and when each user verified their e-mail.
 * Accounts that exist before this migration count as verified (they signed up
 * before verification existed; locking them out of their money would be worse).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('one_time_codes')
    .addColumn('code_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('purpose', 'varchar(32)', (col) => col.notNull())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('used_at', sql`datetime(3)`)
    .execute();
  await db.schema
    .createIndex('one_time_codes_user_purpose')
    .on('one_time_codes')
    .columns(['user_id', 'purpose', 'used_at'])
    .execute();

  await db.schema
    .createTable('security_requests')
    .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('bucket', 'varchar(300)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('security_requests_bucket')
    .on('security_requests')
    .columns(['bucket', 'created_at'])
    .execute();

  await db.schema.alterTable('users').addColumn('email_verified_at', sql`datetime(3)`).execute();
  await sql`UPDATE users SET email_verified_at = created_at`.execute(db);
}
