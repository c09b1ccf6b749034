import { z } from 'zod';
import { baseConfigShape, loadConfig } from '../config.js';
import { createDatabase } from './database.js';
import { type Migration, runMigrations } from './migrations.js';

/**
 * The body of every service's `src/migrate.ts`: applies pending migrations to
 * MYSQL_URL and exits 0, or prints why not and exits 1 (init containers, npm start).
 */
export async function migrateFromCli(service: string, migrations: Migration[]): Promise<void> {
  const { MYSQL_URL } = loadConfig(z.object({ MYSQL_URL: baseConfigShape.MYSQL_URL }));
  const database = createDatabase({ url: MYSQL_URL, poolSize: 1 });
  try {
    const applied = await runMigrations(database.db, database.name, migrations);
    process.stdout.write(
      `${service}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}\n`,
    );
  } catch (error) {
    process.stderr.write(`${service}: migration failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
