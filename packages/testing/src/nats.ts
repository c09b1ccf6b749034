import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { repoRoot } from './mysql.js';
import { freePort } from './process.js';

/**
 * The NATS server of the tests: NATS_URL (set by `npm test`, scripts/lib/nats-server.ts), or the one
 * `npm start` / `npm test` left running in this checkout, so `vitest` can also run on its own after them.
 */
export function natsUrl(): string {
  if (process.env.NATS_URL) return process.env.NATS_URL;
  if (existsSync(join(repoRoot, '.local', 'nats', 'nats-server.pid'))) return 'nats://127.0.0.1:4222';
  throw new Error('No NATS server for tests: run `npm test` (it sets NATS_URL) or set NATS_URL.');
}

/** The nats-server binary `npm test` found (NATS_SERVER_BIN), else one on PATH, in /usr/sbin or .tools. */
export function natsServerBin(): string {
  const candidates = [
    process.env.NATS_SERVER_BIN,
    join(repoRoot, '.tools', 'nats', 'bin', 'nats-server'),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ].filter((path): path is string => Boolean(path));
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  if (which) return which;
  throw new Error('No nats-server binary: run `npm test` (it installs one) or set NATS_SERVER_BIN.');
}

/** natsServerBin(), or undefined on a machine without one (a test that needs it then skips). */
export function installedNatsServerBin(): string | undefined {
  try {
    return natsServerBin();
  } catch {
    return undefined;
  }
}

/** Whether a NATS server answers on 127.0.0.1:`port` (its first line is `INFO {…}`). */
export function natsAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('utf8').startsWith('INFO ')));
  });
}

export interface PrivateNatsServer {
  url: string;
  /** Stops the server (SIGTERM; its JetStream data stays for start()). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data (nothing when it is running). */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

/**
 * A NATS server of a test's own (its own port and JetStream directory), for tests that stop and restart
 * the broker: the shared one serves every other test file at the same time.
 */
export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  const bin = natsServerBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bonding-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    // Already running: a second process would fail to bind the port, and the first would be orphaned.
    if (child && child.exitCode === null) return;
    const log = join(dir, 'nats.log');
    child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'data'), '-l', log], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    while (!(await natsAnswers(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        throw new Error(`private nats-server did not start:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Messages not yet applied by any durable of the streams under these subject roots (a platform's and its
 * private one: `bonding`, `bonding_private`): each durable's pending and unacknowledged messages, summed.
 * What a harness waits for to know every published event has been consumed.
 */
export async function unconsumedUnder(nc: NatsConnection, roots: readonly string[]): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const under = (subject: string) => roots.some((root) => subject.startsWith(`${root}.`));
  let unconsumed = 0;
  for await (const stream of jsm.streams.list()) {
    if (!stream.config.subjects?.some(under)) continue;
    for await (const consumer of jsm.consumers.list(stream.config.name)) {
      unconsumed += consumer.num_pending + consumer.num_ack_pending;
    }
  }
  return unconsumed;
}
