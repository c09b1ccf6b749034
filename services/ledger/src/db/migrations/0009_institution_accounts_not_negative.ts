import { type Kysely, sql } from 'kysely';

// Like a wallet, an institution's account holds money owed to someone else: never below zero,
// whatever the code above the database does.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addCheckConstraint('accounts_institution_not_negative', sql`type <> 'institution' or balance >= 0`)
    .execute();
}
