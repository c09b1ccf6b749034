import { type Kysely, sql } from 'kysely';

/**
 * Two-factor sign-in and e-mail change (expand only: new tables and a nullable
 * column, so replicas still on the previous release keep working).
 * - totp_credentials: one authenticator per user, its secret sealed with the
 *   field cipher; `confirmed_at` null while enrolment awaits its first code;
 *   `last_used_step` refuses a code's time step a second time (replay).
 * - recovery_codes: SHA-256 of each code, spent once.
 * - mfa_challenges: the short-lived proof that the password was right,
 *   exchanged with a code for tokens; only its SHA-256 is kept.
 * - one_time_codes.new_email: the address an e-mail change code confirms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('totp_credentials')
    .addColumn('user_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('secret_sealed', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('confirmed_at', sql`datetime(3)`)
    .addColumn('last_used_step', 'bigint')
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('code_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('used_at', sql`datetime(3)`)
    .execute();
  await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();

  await db.schema
    .createTable('mfa_challenges')
    .addColumn('token_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'char(36)', (col) => col.notNull())
    .addColumn('user_agent', 'varchar(255)')
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('expires_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('used_at', sql`datetime(3)`)
    .execute();
  await db.schema
    .createIndex('mfa_challenges_expires_at')
    .on('mfa_challenges')
    .column('expires_at')
    .execute();

  await db.schema.alterTable('one_time_codes').addColumn('new_email', 'varchar(254)').execute();
}
