import { join } from 'node:path';
import { createTestDatabase, repoRoot, type TestDatabase } from './mysql.js';
import { freePort, type ServiceProcess, startServiceProcess } from './process.js';

/** The folder of services/<name>, where its process runs. */
export const serviceDir = (name: string): string => join(repoRoot, 'services', name);

export interface ServiceOnDatabase {
  service: ServiceProcess;
  database: TestDatabase;
  /** Kills the process and drops its database. */
  close(): Promise<void>;
}

/**
 * One service as a real process on a fresh database of its own, migrating on start: for tests about a
 * single process (it starts, migrates, shuts down). Tests of services talking use tests/platform.
 */
export async function startServiceOnTestDatabase(
  name: string,
  env: Record<string, string> = {},
): Promise<ServiceOnDatabase> {
  const database = await createTestDatabase(`${name}_process`);
  try {
    const service = await startServiceProcess({
      cwd: serviceDir(name),
      port: await freePort(),
      env: { MYSQL_URL: database.url, MIGRATE_ON_START: 'true', ...env },
    });
    return {
      service,
      database,
      async close() {
        await service.stop('SIGKILL');
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
