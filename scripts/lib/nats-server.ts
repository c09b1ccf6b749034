// A NATS server with JetStream for local runs and tests (the events broker, docs/events.md), set up the way
// mysql-server.ts sets up MariaDB. In order of preference:
//
//   1. NATS_URL from the environment, e.g. nats://127.0.0.1:4222: an externally provided server. It must
//      answer as NATS with JetStream enabled; nothing is installed or started.
//   2. A server already listening on 127.0.0.1:4222 that answers as NATS with JetStream (the one an earlier
//      run started, whose pid is in .local/nats/nats-server.pid, or a system service): reused.
//   3. Nothing listening: the `nats-server` binary (on PATH, in /usr/sbin, or .tools/nats/bin), else
//      `apt-get install nats-server` (root on Debian; bookworm has 2.9.10, JetStream needs ≥ 2.2), else
//      `go install github.com/nats-io/nats-server/v2@<NATS_SERVER_VERSION>` into .tools/nats/bin; then a
//      detached server on 127.0.0.1:4222 with JetStream data in .local/nats/data and monitoring on
//      127.0.0.1:8222, which outlives this process (later runs reuse it, with its streams).
//
// Stop the project-local server with:  kill "$(cat .local/nats/nats-server.pid)"
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { SetupError } from './mysql-server.js';
import { aptInstall, cannotInstallPackages } from './os-packages.js';
import { ensureDir, localDir, repoRoot } from './paths.js';
import { info, livePid, sleep, which } from './processes.js';
import { runQuiet } from './run-capture.js';

const HOST = '127.0.0.1';
const PORT = 4222;
const MONITOR_PORT = 8222;
const START_TIMEOUT_MS = 30_000;
/** The version `go install` builds when the OS offers no package (bump to rebuild on every checkout). */
export const NATS_SERVER_VERSION = 'v2.15.3';
/** JetStream arrived in 2.2; nak with a delay and consumer backoff in 2.7+. */
const MINIMUM_VERSION = [2, 7, 0];

export const natsDir = join(localDir, 'nats');
export const natsPaths = {
  data: join(natsDir, 'data'),
  pid: join(natsDir, 'nats-server.pid'),
  log: join(natsDir, 'nats-server.log'),
};
const toolsBinDir = join(repoRoot, '.tools', 'nats', 'bin');
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin', toolsBinDir];

const log = (message: string) => info('nats', message);
const rel = (p: string) => relative(repoRoot, p) || '.';

/** What a NATS server says about itself in the INFO line it sends to every new connection. */
export interface NatsServerInfo {
  version: string;
  jetstream: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Entry points

/**
 * Ensures a NATS server with JetStream is reachable and returns its URL. Also sets NATS_SERVER_BIN when it
 * knows the binary, so tests that need a private server of their own (stopped and restarted under load)
 * start the same one.
 */
export async function ensureNatsServer(): Promise<string> {
  const fromEnv = process.env.NATS_URL;
  if (fromEnv) {
    // A comma-separated list names a cluster: its first server answers for it here.
    let url: URL;
    try {
      url = new URL((fromEnv.split(',')[0] ?? '').trim());
    } catch {
      throw new SetupError(`NATS_URL (${redactNats(fromEnv)}) is not a URL such as nats://127.0.0.1:4222`);
    }
    const server = await readServerInfo(url.hostname, Number(url.port || PORT));
    if (!server) throw new SetupError(`NATS_URL (${redactNats(fromEnv)}) does not answer as a NATS server`);
    requireJetStream(server, `NATS_URL (${redactNats(fromEnv)})`);
    log(`using NATS_URL ${redactNats(fromEnv)} (nats-server ${server.version})`);
    return fromEnv;
  }
  const url = `nats://${HOST}:${PORT}`;
  const running = await readServerInfo(HOST, PORT);
  if (running) {
    requireJetStream(running, `the server on ${HOST}:${PORT}`);
    const pid = localNatsPid();
    const whose = pid ? `pid ${pid}, data in ${rel(natsPaths.data)}` : 'not started by this checkout';
    log(`reusing nats-server ${running.version} on ${url} (${whose})`);
    const bin = findNatsServer();
    if (bin) process.env.NATS_SERVER_BIN ??= bin;
    return url;
  }
  if (await portOpen(HOST, PORT)) {
    throw new SetupError(
      `something other than NATS listens on ${HOST}:${PORT}. Stop it, or set NATS_URL to a NATS server with JetStream.`,
    );
  }
  const bin = await ensureNatsServerBinary();
  process.env.NATS_SERVER_BIN ??= bin;
  await startDetached(bin);
  return url;
}

/** The installed nats-server binary, if any. */
export function findNatsServer(): string | undefined {
  return process.env.NATS_SERVER_BIN || which('nats-server', SBIN_DIRS);
}

/** nats-server from the OS package, else built with `go install` into .tools/nats/bin. */
export async function ensureNatsServerBinary(): Promise<string> {
  const present = findNatsServer();
  if (present && versionOk(binaryVersion(present))) return present;
  if (!cannotInstallPackages()) {
    const started = Date.now();
    log('nats-server missing: apt-get install nats-server');
    if (aptInstall(['nats-server'], () => okBinary() !== undefined)) {
      const bin = okBinary() as string;
      log(`nats-server ${binaryVersion(bin)} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return bin;
    }
    log('apt-get gave no usable nats-server; building it with go install instead');
  }
  return goInstall();
}

/** The pid of the project-local server, if it is running. */
export const localNatsPid = (): number | undefined => livePid(natsPaths.pid);

export function redactNats(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && !u.password) u.username = '***'; // a token in the user position
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

// ---------------------------------------------------------------------------------------------------
// The binary

function binaryVersion(bin: string): string | undefined {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return /v?(\d+\.\d+\.\d+)/.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1];
}

function versionOk(version: string | undefined): boolean {
  if (!version) return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MINIMUM_VERSION.length; i++) {
    const a = parts[i] ?? 0;
    const b = MINIMUM_VERSION[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function okBinary(): string | undefined {
  const bin = which('nats-server', SBIN_DIRS);
  return bin && versionOk(binaryVersion(bin)) ? bin : undefined;
}

async function goInstall(): Promise<string> {
  const bin = join(toolsBinDir, 'nats-server');
  if (existsSync(bin) && binaryVersion(bin) === NATS_SERVER_VERSION.slice(1)) return bin;
  if (!which('go')) {
    throw new SetupError(
      'no nats-server is installed and neither apt-get (root on Debian) nor Go is available to install one. ' +
        'Install nats-server (https://docs.nats.io), or set NATS_URL to a NATS server with JetStream.',
    );
  }
  const module = `github.com/nats-io/nats-server/v2@${NATS_SERVER_VERSION}`;
  const started = Date.now();
  log(`building nats-server with go install ${module} (a minute or two, once)`);
  ensureDir(toolsBinDir, 0o755);
  try {
    await runQuiet('go', ['install', module], { ...process.env, GOBIN: toolsBinDir, CGO_ENABLED: '0' });
  } catch (error) {
    throw new SetupError(`go install ${module} failed: ${(error as Error).message}`);
  }
  log(
    `nats-server ${NATS_SERVER_VERSION} built into ${rel(toolsBinDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return bin;
}

// ---------------------------------------------------------------------------------------------------
// The server

function requireJetStream(server: NatsServerInfo, what: string): void {
  if (!server.jetstream) {
    throw new SetupError(`${what} runs nats-server ${server.version} without JetStream (start it with -js)`);
  }
  if (!versionOk(server.version)) {
    throw new SetupError(
      `${what} runs nats-server ${server.version}; the platform needs ${MINIMUM_VERSION.join('.')} or newer`,
    );
  }
}

/**
 * Reads the INFO line a NATS server sends first on every connection: whether something there is NATS, its
 * version, and whether JetStream is on. Undefined when nothing answers like NATS.
 */
export function readServerInfo(
  host: string,
  port: number,
  timeoutMs = 2_000,
): Promise<NatsServerInfo | undefined> {
  return new Promise((resolveInfo) => {
    const socket = connect({ host, port });
    let buffered = '';
    const done = (result: NatsServerInfo | undefined) => {
      socket.destroy();
      resolveInfo(result);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      const line = buffered.slice(0, end);
      if (!line.startsWith('INFO ')) return done(undefined);
      try {
        const parsed = JSON.parse(line.slice(5)) as { version?: string; jetstream?: boolean };
        done({ version: parsed.version ?? 'unknown', jetstream: parsed.jetstream === true });
      } catch {
        done(undefined);
      }
    });
  });
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

function logTail(lines = 20): string {
  try {
    return readFileSync(natsPaths.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The arguments of a server on `port` with JetStream in `dataDir` (also used by tests for a private one). */
export function natsServerArgs(options: {
  port: number;
  monitorPort: number;
  dataDir: string;
  pidFile: string;
  logFile: string;
}): string[] {
  return [
    '-a',
    HOST,
    '-p',
    String(options.port),
    '-m',
    String(options.monitorPort),
    '-js',
    '-sd',
    options.dataDir,
    '-P',
    options.pidFile,
    '-l',
    options.logFile,
    // The local server's name: JetStream keeps it in its metadata, so a restart finds its streams again.
    '-n',
    'bonding-local',
  ];
}

async function startDetached(bin: string): Promise<void> {
  ensureDir(natsDir);
  ensureDir(natsPaths.data);
  const args = natsServerArgs({
    port: PORT,
    monitorPort: MONITOR_PORT,
    dataDir: natsPaths.data,
    pidFile: natsPaths.pid,
    logFile: natsPaths.log,
  });
  const started = Date.now();
  log(
    `starting ${bin} (${binaryVersion(bin)}) with JetStream data in ${rel(natsPaths.data)} (log: ${rel(natsPaths.log)})`,
  );
  // Detached, in its own session and with no pipes to us: it keeps running after this process exits, like
  // a system service, and later runs reuse it (and its streams).
  const child = spawn(bin, args, { cwd: natsDir, detached: true, stdio: 'ignore' });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  child.once('error', (err) => {
    exit = err.message;
  });
  child.unref();
  while (Date.now() - started < START_TIMEOUT_MS) {
    if (exit) throw new SetupError(`nats-server ${exit}. Last lines of ${rel(natsPaths.log)}:\n${logTail()}`);
    const server = await readServerInfo(HOST, PORT, 500);
    if (server?.jetstream) {
      log(
        `nats-server pid ${child.pid} accepts connections on nats://${HOST}:${PORT} after ${Date.now() - started} ms ` +
          `(monitoring: http://${HOST}:${MONITOR_PORT})`,
      );
      log(`it keeps running after this command; stop it with: kill "$(cat ${rel(natsPaths.pid)})"`);
      return;
    }
    await sleep(100);
  }
  throw new SetupError(
    `nats-server did not accept connections within ${START_TIMEOUT_MS / 1000} s. Last lines of ${rel(natsPaths.log)}:\n${logTail()}`,
  );
}
