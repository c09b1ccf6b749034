import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('student_directory')
    .addColumn('user_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('last_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('reg_number', 'varchar(64)')
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  // Staff search by the start of a name or registration number.
  await db.schema
    .createIndex('student_directory_reg_number')
    .on('student_directory')
    .column('reg_number')
    .execute();
  await db.schema
    .createIndex('student_directory_last_name')
    .on('student_directory')
    .column('last_name')
    .execute();
  await db.schema
    .createIndex('student_directory_first_name')
    .on('student_directory')
    .column('first_name')
    .execute();

  await db.schema
    .createTable('personal_details')
    .addColumn('student_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('surname', 'varchar(100)', (col) => col.notNull())
    .addColumn('date_of_birth', 'date', (col) => col.notNull())
    .addColumn('gender', 'varchar(24)', (col) => col.notNull())
    .addColumn('national_id_sealed', 'varchar(255)', (col) => col.notNull())
    .addColumn('national_id_index', 'char(64)', (col) => col.notNull().unique())
    .addColumn('national_id_last4', 'char(4)', (col) => col.notNull())
    .addColumn('phone', 'varchar(16)', (col) => col.notNull())
    .addColumn('home_village', 'varchar(100)', (col) => col.notNull())
    .addColumn('traditional_authority', 'varchar(100)', (col) => col.notNull())
    .addColumn('district', 'varchar(60)', (col) => col.notNull())
    .addColumn('postal_address', 'varchar(255)', (col) => col.notNull())
    .addColumn('institution', 'varchar(150)', (col) => col.notNull())
    .addColumn('programme', 'varchar(150)', (col) => col.notNull())
    .addColumn('year_of_study', 'integer', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('guardians')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('first_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('surname', 'varchar(100)', (col) => col.notNull())
    .addColumn('relation', 'varchar(16)', (col) => col.notNull())
    .addColumn('phone', 'varchar(16)', (col) => col.notNull())
    .addColumn('email', 'varchar(254)')
    .addColumn('occupation', 'varchar(100)', (col) => col.notNull())
    .addColumn('home_village', 'varchar(100)', (col) => col.notNull())
    .addColumn('is_primary', 'boolean', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('guardians_student').on('guardians').columns(['student_id', 'id']).execute();

  await db.schema
    .createTable('bank_accounts')
    .addColumn('id', 'char(36)', (col) => col.primaryKey())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('bank_name', 'varchar(100)', (col) => col.notNull())
    .addColumn('branch', 'varchar(100)', (col) => col.notNull())
    .addColumn('account_name', 'varchar(150)', (col) => col.notNull())
    .addColumn('account_number_sealed', 'varchar(255)', (col) => col.notNull())
    .addColumn('account_number_index', 'char(64)', (col) => col.notNull().unique())
    .addColumn('account_number_last4', 'char(4)', (col) => col.notNull())
    .addColumn('is_primary', 'boolean', (col) => col.notNull())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('bank_accounts_student')
    .on('bank_accounts')
    .columns(['student_id', 'id'])
    .execute();

  await db.schema
    .createTable('file_access_log')
    .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
    .addColumn('staff_id', 'char(36)', (col) => col.notNull())
    .addColumn('staff_role', 'varchar(16)', (col) => col.notNull())
    .addColumn('student_id', 'char(36)', (col) => col.notNull())
    .addColumn('accessed_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('file_access_log_student')
    .on('file_access_log')
    .columns(['student_id', 'id'])
    .execute();
}
