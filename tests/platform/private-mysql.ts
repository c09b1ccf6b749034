import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@bonding/testing';
import { createConnection } from 'mysql2/promise';
import { findServer, SBIN_DIRS } from '../../scripts/lib/mysql-server.js';
import { which } from '../../scripts/lib/processes.js';

/**
 * A MariaDB server of a test's own — a temporary data directory, a free port — that the test may stop
 * and start without disturbing the shared test server other files use in parallel. MariaDB only (the
 * server of `npm test`, DESIGN §7): `available` says whether its binaries are installed.
 */
export interface PrivateMysql {
  port: number;
  /** A URL to `database` on this server (as an administrator). */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  remove(): Promise<void>;
}

const server = findServer();
const installDb = which('mariadb-install-db', SBIN_DIRS) ?? which('mysql_install_db', SBIN_DIRS);
export const privateMysqlAvailable = Boolean(server?.mariadb && installDb);
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--user=root'] : [];

export async function startPrivateMysql(): Promise<PrivateMysql> {
  if (!server?.mariadb || !installDb) throw new Error('no MariaDB server binaries installed');
  const dir = mkdtempSync(join(tmpdir(), 'bonding-private-mysql-'));
  const dataDir = join(dir, 'data');
  const errorLog = join(dir, 'error.log');
  const init = spawnSync(
    installDb,
    ['--no-defaults', `--datadir=${dataDir}`, ...asRoot, '--skip-test-db', '--skip-name-resolve'],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${init.stderr || init.error?.message}`);
  }
  const port = await freePort();
  const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    child = spawn(
      server.bin,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--socket=${join(dir, 'mysqld.sock')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--log-error=${errorLog}`,
        // A throwaway server on loopback: no accounts to manage, every client is an administrator.
        '--skip-grant-tables',
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--default-time-zone=+00:00',
        '--innodb-buffer-pool-size=32M',
        ...asRoot,
      ],
      { stdio: 'ignore' },
    );
    const running = child;
    exited = new Promise((resolve) => running.once('exit', () => resolve()));
    await waitFor(
      async () => {
        if (running.exitCode !== null) throw new Error(`mariadbd exited: ${readFileSync(errorLog, 'utf8')}`);
        const connection = await createConnection({ uri: url(''), connectTimeout: 1_000 });
        await connection.end();
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the private MariaDB server to accept connections' },
    );
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  await start();
  return {
    port,
    url,
    async createDatabase(name) {
      const connection = await createConnection({ uri: url('') });
      try {
        await connection.query(
          `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
        );
      } finally {
        await connection.end();
      }
      return url(name);
    },
    stop,
    start,
    async remove() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
