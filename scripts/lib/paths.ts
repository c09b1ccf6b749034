// Where the local tooling keeps its state. Everything under .local/ is git-ignored and private to
// this checkout: delete .local/ to start over (stop the MariaDB server first: see mysql-server.ts).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const localDir = join(repoRoot, '.local');
export const mysqlDir = join(localDir, 'mysql');
export const binDir = join(repoRoot, 'node_modules', '.bin');

export const paths = {
  mysqlData: join(mysqlDir, 'data'),
  mysqlPid: join(mysqlDir, 'mysqld.pid'),
  mysqlErrorLog: join(mysqlDir, 'error.log'),
  mysqlAdmin: join(mysqlDir, 'admin.json'),
  mysqlServices: join(mysqlDir, 'services.json'),
  keys: join(localDir, 'keys'),
  admin: join(localDir, 'admin.json'),
  /** Unix socket of the project-local server; moved to the temp dir when the path would be too long. */
  mysqlSocket: socketPath(join(mysqlDir, 'mysqld.sock')),
};

function socketPath(preferred: string): string {
  // sun_path holds 108 bytes including the terminating NUL; keep a margin for the server's `.lock` file.
  if (Buffer.byteLength(preferred) <= 100) return preferred;
  const id = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return join(tmpdir(), `bonding-mysqld-${id}.sock`);
}

export function ensureDir(dir: string, mode = 0o700): string {
  mkdirSync(dir, { recursive: true, mode });
  return dir;
}

export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

/** Writes a JSON file readable by the owner only, atomically (write + rename). */
export function writeSecretJson(file: string, value: unknown): void {
  ensureDir(dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
