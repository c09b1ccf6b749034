import { baseConfigShape, createDatabase, loadConfig, runMigrations } from '@bonding/kit';
import { z } from 'zod';
import { migrations } from './db/migrations/index.js';

/** `node --import tsx src/migrate.ts`: applies pending migrations and exits (init containers, npm start). */
const { MYSQL_URL } = loadConfig(z.object({ MYSQL_URL: baseConfigShape.MYSQL_URL }));
const database = createDatabase({ url: MYSQL_URL, poolSize: 1 });
try {
  const applied = await runMigrations(database.db, database.name, migrations);
  process.stdout.write(
    `identity: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}\n`,
  );
} catch (error) {
  process.stderr.write(`identity: migration failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
