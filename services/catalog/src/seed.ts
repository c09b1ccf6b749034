import { baseConfigShape, createDatabase, loadConfig } from '@bonding/kit';
import { z } from 'zod';
import type { CatalogDatabase } from './db/schema.js';
import { seedDemoInstitutions } from './demo-institutions.js';
import { seedDemoProducts } from './demo-products.js';

/** `node --import tsx src/seed.ts`: adds the demo products and institutions once (npm start runs it after migrations). */
const { MYSQL_URL } = loadConfig(z.object({ MYSQL_URL: baseConfigShape.MYSQL_URL }));
const database = createDatabase<CatalogDatabase>({ url: MYSQL_URL, poolSize: 1 });
try {
  const now = new Date();
  const added = [
    ...(await seedDemoProducts(database.db, now)),
    ...(await seedDemoInstitutions(database.db, now)),
  ];
  process.stdout.write(
    `catalog: ${added.length ? `seeded ${added.join(', ')}` : 'demo data already present'}\n`,
  );
} finally {
  await database.close();
}
