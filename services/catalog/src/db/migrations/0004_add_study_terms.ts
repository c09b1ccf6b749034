import { type Kysely, sql } from 'kysely';

/**
 * A product's study terms (docs/lending-model.md): both null on every product that exists today, which
 * keeps its loans on the legacy schedule; both set or both null (the routes check it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('interest_during_study', 'varchar(16)').execute();
  await db.schema.alterTable('products').addColumn('grace_months_after_study', 'integer').execute();
  await sql`ALTER TABLE products ADD CONSTRAINT products_study_terms_together CHECK (
    (interest_during_study IS NULL) = (grace_months_after_study IS NULL))`.execute(db);
}
