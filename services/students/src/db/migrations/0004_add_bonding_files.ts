import { type Kysely, sql } from 'kysely';

/**
 * One row per student who has written to their file: the row every write to the student's guardians and
 * bank accounts locks first, so those writes queue on it instead of locking the lists themselves.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bonding_files')
    .addColumn('student_id', 'char(36)', (col) => col.primaryKey())
    .addColumn('created_at', sql`datetime(3)`, (col) => col.notNull())
    .execute();
}
