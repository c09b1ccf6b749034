import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'mysql2/promise';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The admin URL of the test server: MYSQL_ADMIN_URL (set by `npm test`), or the
 * one `npm start` saved, so `vitest` can also run on its own after a start.
 */
export function mysqlAdminUrl(): string {
  if (process.env.MYSQL_ADMIN_URL) return process.env.MYSQL_ADMIN_URL;
  const saved = join(repoRoot, '.local', 'mysql', 'admin.json');
  if (existsSync(saved)) return (JSON.parse(readFileSync(saved, 'utf8')) as { url: string }).url;
  throw new Error(
    'No MySQL server for tests: run `npm test` (it sets MYSQL_ADMIN_URL) or set MYSQL_ADMIN_URL.',
  );
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file, so files run in parallel without sharing state. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const admin = new URL(mysqlAdminUrl());
  const name = `t_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const connection = await createConnection({ uri: admin.toString() });
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const dropper = await createConnection({ uri: admin.toString() });
      try {
        await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await dropper.end();
      }
    },
  };
}
