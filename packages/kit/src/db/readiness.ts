import { type Kysely, sql } from 'kysely';
import type { ReadinessCheck } from '../http/health.js';
import { type Migration, pendingMigrations } from './migrations.js';

/** Ready when the database answers and every migration the code knows is applied. */
export function databaseReadiness(db: Kysely<any>, migrations: Migration[]): ReadinessCheck[] {
  return [
    {
      name: 'database',
      async check() {
        await sql`SELECT 1`.execute(db);
        return undefined;
      },
    },
    {
      name: 'migrations',
      async check() {
        const pending = await pendingMigrations(db, migrations);
        return pending.length === 0 ? undefined : `pending: ${pending.join(', ')}`;
      },
    },
  ];
}
