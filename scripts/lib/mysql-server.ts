// A MySQL-compatible server for local runs and tests, and an ADMIN connection URL to it (a user that
// may CREATE DATABASE, CREATE USER and GRANT). In order of preference:
//
//   1. MYSQL_ADMIN_URL from the environment, e.g. mysql://root:secret@127.0.0.1:3306/ (must be an admin
//      account; CI on GitHub Actions points it at its MySQL 8.4 service container).
//   2. The URL saved in .local/mysql/admin.json by an earlier run, if it still connects.
//   3. A server already listening on 127.0.0.1:3306 (a system MariaDB/MySQL): as root over its unix socket
//      with the mariadb/mysql client, create `bonding_admin` and save its URL.
//   4. Nothing listening: install mariadb-server with apt-get if needed (root on Debian), initialise a
//      project-local data directory in .local/mysql/data and start a detached server on 127.0.0.1:3306
//      that outlives this process (later runs reuse it), then create `bonding_admin` as in 3.
//
// Stop the project-local server with:  kill "$(cat .local/mysql/mysqld.pid)"
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { relative } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { ensureDir, mysqlDir, paths, readJson, repoRoot, writeSecretJson } from './paths.js';
import { info, livePid, sleep, which } from './processes.js';

const HOST = '127.0.0.1';
const PORT = 3306;
const ADMIN_USER = 'bonding_admin';
const START_TIMEOUT_MS = 60_000;
export const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin', '/usr/bin'];

/** A setup failure with a message meant for the user (printed without a stack trace). */
export class SetupError extends Error {
  override name = 'SetupError';
}

const log = (message: string) => info('mysql', message);
const rel = (p: string) => relative(repoRoot, p) || '.';

interface SavedAdmin {
  url: string;
  createdAt: string;
}

interface SavedServiceUsers {
  [service: string]: { user: string; password: string };
}

// ---------------------------------------------------------------------------------------------------
// Entry points

/** Ensures a server is reachable and returns an admin connection URL for it. */
export async function ensureMysqlServer(): Promise<string> {
  const fromEnv = process.env.MYSQL_ADMIN_URL;
  if (fromEnv) {
    const check = await tryConnect(fromEnv);
    if (!check.ok) {
      throw new SetupError(`MYSQL_ADMIN_URL (${redact(fromEnv)}) does not connect: ${check.error}`);
    }
    log(`using MYSQL_ADMIN_URL ${redact(fromEnv)} (${check.version})`);
    return fromEnv;
  }

  const saved = readJson<SavedAdmin>(paths.mysqlAdmin);
  if (saved?.url) {
    const check = await tryConnect(saved.url);
    if (check.ok) {
      log(`using ${redact(saved.url)} (${check.version}) from ${rel(paths.mysqlAdmin)}`);
      return saved.url;
    }
  }

  if (!(await portOpen(HOST, PORT))) {
    await startLocalServer();
    // The data directory may predate this run: its admin user may already be the saved one.
    if (saved?.url) {
      const check = await tryConnect(saved.url);
      if (check.ok) {
        log(`using ${redact(saved.url)} (${check.version}) from ${rel(paths.mysqlAdmin)}`);
        return saved.url;
      }
    }
  }

  const url = await createAdminUser();
  const check = await tryConnect(url);
  if (!check.ok) {
    throw new SetupError(
      `created ${ADMIN_USER} but cannot connect as it (${check.error}). Set MYSQL_ADMIN_URL to an admin URL, ` +
        `e.g. MYSQL_ADMIN_URL=mysql://root:secret@127.0.0.1:${PORT}/`,
    );
  }
  log(`admin user ${ADMIN_USER} ready (${check.version}); URL saved in ${rel(paths.mysqlAdmin)}`);
  return url;
}

/**
 * Creates database `bonding_<service>` and user `<service>_app` with all privileges on that database
 * only, and returns the service's MYSQL_URL. Passwords are generated once and kept in
 * .local/mysql/services.json, so this is idempotent (and repairs a server that lost the user).
 */
export async function provisionServiceDatabase(
  adminUrl: string,
  service: string,
  store: string = paths.mysqlServices,
): Promise<string> {
  if (!/^[a-z][a-z0-9_]*$/.test(service))
    throw new SetupError(`invalid service name for a database: ${service}`);
  const database = `bonding_${service}`;
  const saved = readJson<SavedServiceUsers>(store) ?? {};
  let creds = saved[service];
  if (!creds) {
    creds = { user: `${service}_app`, password: generatePassword() };
    writeSecretJson(store, { ...saved, [service]: creds });
  }

  const conn = await mysql.createConnection({ uri: adminUrl, connectTimeout: 10_000 });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    // '%' serves TCP clients; 'localhost' too, because MariaDB prefers an anonymous ''@'localhost' (if
    // present) over 'user'@'%' for connections it sees as coming from localhost.
    for (const host of ['%', 'localhost']) {
      await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [creds.user, host, creds.password]);
      await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [creds.user, host, creds.password]);
      await conn.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@?`, [creds.user, host]);
    }
  } finally {
    await conn.end();
  }

  const admin = new URL(adminUrl);
  const url = `mysql://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@${admin.host}/${database}`;
  return url;
}

/** The URL with its password hidden, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

// ---------------------------------------------------------------------------------------------------
// Connections

interface Check {
  ok: boolean;
  version?: string;
  error?: string;
}

async function tryConnect(url: string): Promise<Check> {
  let conn: Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: url, connectTimeout: 5_000 });
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version');
    return { ok: true, version: String(rows[0]?.version ?? 'unknown version') };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePort(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

// ---------------------------------------------------------------------------------------------------
// The admin user, created through the command-line client over a unix socket

/** The pid of the project-local server, if it is running. */
export const localServerPid = (): number | undefined => livePid(paths.mysqlPid);

async function createAdminUser(): Promise<string> {
  const client = which('mariadb', SBIN_DIRS) ?? which('mysql', SBIN_DIRS);
  const howToFix =
    `Set MYSQL_ADMIN_URL to the URL of an account that may CREATE DATABASE, CREATE USER and GRANT, ` +
    `e.g. MYSQL_ADMIN_URL=mysql://root:secret@127.0.0.1:${PORT}/`;
  if (!client) {
    throw new SetupError(
      `a server listens on ${HOST}:${PORT} but no mariadb/mysql client is installed to create a user. ${howToFix}`,
    );
  }
  const password = generatePassword();
  const statements: string[] = [];
  for (const host of ['localhost', '127.0.0.1']) {
    const account = `'${ADMIN_USER}'@'${host}'`;
    statements.push(
      `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY '${password}';`,
      `ALTER USER ${account} IDENTIFIED BY '${password}';`,
      `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION;`,
    );
  }

  let args: string[];
  const ours = localServerPid() !== undefined && existsSync(paths.mysqlSocket);
  if (ours) {
    // Our own instance: root (or the OS user) authenticates over the socket without a password.
    // (Oracle MySQL's --initialize-insecure instead leaves root@localhost with an empty password.)
    const user = findServer()?.mariadb === false ? 'root' : socketUser();
    args = ['--no-defaults', '--protocol=socket', `--socket=${paths.mysqlSocket}`, `--user=${user}`];
    // mariadb-install-db may create anonymous accounts that shadow real ones; they have no use here.
    statements.unshift(
      `DROP USER IF EXISTS ''@'localhost';`,
      `DROP USER IF EXISTS ''@'${hostname().replace(/'/g, '')}';`,
    );
  } else {
    // A system server (e.g. Debian's mariadb, whose root uses unix_socket auth): client defaults find
    // its socket.
    args = ['--protocol=socket', '--user=root'];
    log(`a server already listens on ${HOST}:${PORT}; creating ${ADMIN_USER} as root over its unix socket`);
  }
  statements.push('FLUSH PRIVILEGES;');

  const result = spawnSync(client, [...args, '--batch'], { input: statements.join('\n'), encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = (result.error?.message ?? result.stderr ?? '').trim() || `exit code ${result.status}`;
    throw new SetupError(`cannot create the admin user ${ADMIN_USER} with ${client} (${why}). ${howToFix}`);
  }
  const url = `mysql://${ADMIN_USER}:${encodeURIComponent(password)}@${HOST}:${PORT}/`;
  writeSecretJson(paths.mysqlAdmin, { url, createdAt: new Date().toISOString() } satisfies SavedAdmin);
  return url;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function socketUser(): string {
  return isRoot() ? 'root' : userInfo().username;
}

// ---------------------------------------------------------------------------------------------------
// The project-local server

export interface Server {
  bin: string;
  mariadb: boolean;
}

/** The installed MariaDB/MySQL server binary, if any (also used by tests that run a server of their own). */
export function findServer(): Server | undefined {
  const mariadbd = which('mariadbd', SBIN_DIRS);
  if (mariadbd) return { bin: mariadbd, mariadb: true };
  const mysqld = which('mysqld', SBIN_DIRS);
  if (!mysqld) return undefined;
  const version = spawnSync(mysqld, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return { bin: mysqld, mariadb: /mariadb/i.test(version) };
}

function installMariadb(): void {
  if (!isRoot() || !existsSync('/etc/debian_version') || !which('apt-get', SBIN_DIRS)) {
    throw new SetupError(
      `no MySQL-compatible server is running on ${HOST}:${PORT} and none is installed. Install MariaDB ` +
        `(e.g. sudo apt-get install mariadb-server) or set MYSQL_ADMIN_URL to an admin URL of a running server.`,
    );
  }
  const started = Date.now();
  log('no server installed: apt-get install mariadb-server (about 20-30 s)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) log(`apt-get update exited with ${update.status}; trying the install anyway`);
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'mariadb-server'], { stdio: 'inherit', env });
  // Without an init system the package's service start fails (policy-rc.d), which may fail the
  // install even though the binaries are in place: what matters is whether they are.
  if (!findServer()) {
    throw new SetupError(
      `apt-get install mariadb-server failed (exit ${install.status}); see the output above`,
    );
  }
  if (install.status !== 0)
    log(`apt-get exited with ${install.status}, but the server binaries are installed`);
  log(`mariadb-server installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function initDataDir(server: Server): void {
  if (existsSync(`${paths.mysqlData}/mysql`)) return;
  const started = Date.now();
  const tmp = `${paths.mysqlData}.init-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  ensureDir(tmp);
  const asRoot = isRoot() ? ['--user=root'] : [];
  let result: ReturnType<typeof spawnSync>;
  if (server.mariadb) {
    const installDb = which('mariadb-install-db', SBIN_DIRS) ?? which('mysql_install_db', SBIN_DIRS);
    if (!installDb) throw new SetupError('mariadb-install-db not found (is mariadb-server fully installed?)');
    result = spawnSync(
      installDb,
      [
        '--no-defaults',
        `--datadir=${tmp}`,
        ...asRoot,
        // root (or the OS user running this) logs in over the unix socket only; no password exists.
        '--auth-root-authentication-method=socket',
        `--auth-root-socket-user=${socketUser()}`,
        '--skip-test-db',
        '--skip-name-resolve',
      ],
      { encoding: 'utf8' },
    );
  } else {
    // Oracle MySQL: root@localhost with an empty password, reachable only over our socket/loopback.
    result = spawnSync(
      server.bin,
      ['--no-defaults', '--initialize-insecure', `--datadir=${tmp}`, ...asRoot],
      {
        encoding: 'utf8',
      },
    );
  }
  if (result.error || result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new SetupError(`initialising ${rel(paths.mysqlData)} failed:\n${output || result.error?.message}`);
  }
  rmSync(paths.mysqlData, { recursive: true, force: true });
  renameSync(tmp, paths.mysqlData);
  log(`initialised ${rel(paths.mysqlData)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function errorLogTail(lines = 25): string {
  try {
    return readFileSync(paths.mysqlErrorLog, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no error log)';
  }
}

async function startLocalServer(): Promise<void> {
  let server = findServer();
  if (!server) {
    installMariadb();
    server = findServer();
    if (!server) throw new SetupError('mariadb-server was installed but mariadbd was not found');
  }
  ensureDir(mysqlDir);
  initDataDir(server);

  const args = [
    '--no-defaults',
    `--datadir=${paths.mysqlData}`,
    `--socket=${paths.mysqlSocket}`,
    `--port=${PORT}`,
    `--bind-address=${HOST}`,
    `--pid-file=${paths.mysqlPid}`,
    `--log-error=${paths.mysqlErrorLog}`,
    '--skip-name-resolve',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--default-time-zone=+00:00',
    '--max-connections=500',
    ...(isRoot() ? ['--user=root'] : []),
    ...(server.mariadb ? [] : ['--mysqlx=OFF']),
  ];
  const started = Date.now();
  log(`starting ${server.bin} with data in ${rel(paths.mysqlData)} (log: ${rel(paths.mysqlErrorLog)})`);
  // Detached, in its own session and with no pipes to us: it keeps running after this process exits,
  // like a system service, and later runs reuse it.
  const child = spawn(server.bin, args, { cwd: mysqlDir, detached: true, stdio: 'ignore' });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  child.once('error', (err) => {
    exit = err.message;
  });
  child.unref();

  while (Date.now() - started < START_TIMEOUT_MS) {
    if (exit) {
      throw new SetupError(
        `the MySQL server ${exit}. Last lines of ${rel(paths.mysqlErrorLog)}:\n${errorLogTail()}`,
      );
    }
    if (await portOpen(HOST, PORT, 500)) {
      log(`server pid ${child.pid} accepts connections on ${HOST}:${PORT} after ${Date.now() - started} ms`);
      log(`it keeps running after this command; stop it with: kill "$(cat ${rel(paths.mysqlPid)})"`);
      return;
    }
    await sleep(100);
  }
  throw new SetupError(
    `the MySQL server did not accept connections within ${START_TIMEOUT_MS / 1000} s. ` +
      `Last lines of ${rel(paths.mysqlErrorLog)}:\n${errorLogTail()}`,
  );
}
