import { type Kysely, sql } from 'kysely';

/**
 * Terms of loans paid out in tranches (docs/lending-model.md): how many days after its planned date an
 * unreleased tranche lapses (null on every product that exists today: its tranches never lapse) and how
 * many guarantors must consent before approval (0 today). The CHECKs hold the routes' bounds in the
 * database too, so no other writer can store terms loans would misread.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('tranche_expiry_days', 'integer').execute();
  await db.schema
    .alterTable('products')
    .addColumn('guarantors_required', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await sql`ALTER TABLE products ADD CONSTRAINT products_tranche_expiry_days CHECK (
    tranche_expiry_days IS NULL OR tranche_expiry_days BETWEEN 1 AND 365)`.execute(db);
  await sql`ALTER TABLE products ADD CONSTRAINT products_guarantors_required CHECK (
    guarantors_required BETWEEN 0 AND 2)`.execute(db);
}
