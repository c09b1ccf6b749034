import { uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { insertInstitution } from './db/institutions.js';
import type { CatalogDatabase } from './db/schema.js';
import { SEED_AUTHOR } from './demo-products.js';
import type { InstitutionFields } from './routes/institution-schemas.js';

/**
 * Malawi's public universities. No contact addresses: a made-up one at a real institution's domain could
 * send mail to real people; an admin adds the real one.
 */
export const DEMO_INSTITUTIONS: InstitutionFields[] = [
  { code: 'UNIMA', name: 'University of Malawi', country: 'MW', contactEmail: null },
  { code: 'MUST', name: 'Malawi University of Science and Technology', country: 'MW', contactEmail: null },
  { code: 'MZUNI', name: 'Mzuzu University', country: 'MW', contactEmail: null },
  {
    code: 'LUANAR',
    name: 'Lilongwe University of Agriculture and Natural Resources',
    country: 'MW',
    contactEmail: null,
  },
];

/**
 * Inserts each demo institution whose code is not taken yet. One an admin changed or archived keeps its
 * code, so it is never recreated or reset.
 */
export async function seedDemoInstitutions(db: Kysely<CatalogDatabase>, now: Date): Promise<string[]> {
  const existing = new Set(
    (
      await db
        .selectFrom('institutions')
        .select('code')
        .where(
          'code',
          'in',
          DEMO_INSTITUTIONS.map((institution) => institution.code),
        )
        .execute()
    ).map((row) => row.code),
  );
  const added: string[] = [];
  for (const institution of DEMO_INSTITUTIONS) {
    if (existing.has(institution.code)) continue;
    await insertInstitution(db, uuidv7(now.getTime()), institution, SEED_AUTHOR, now);
    added.push(institution.code);
  }
  return added;
}
