// `npm start`: everything a developer needs to use the platform locally, from a fresh checkout.
//   database server -> one database + user per service -> JWT signing key -> first admin's credentials
//   -> migrations -> services (prefixed logs) -> wait for /readyz -> banner; Ctrl-C stops the services.
// Idempotent: state lives in .local/ and is reused. The database server is left running on exit.
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  parsePairs,
  parseRateLimits,
  publicKeysFromDir,
  renderKongConfig,
} from '../services/gateway/src/declarative/render.js';
import { saveToFolder, startMailSink } from '../services/notifications/src/dev/mail-sink.js';
import { provisionPlatformStreams } from './lib/jetstream-provision.js';
import { ensureSigningKeys } from './lib/keys.js';
import { PROMETHEUS_FLAG, startLocalPrometheus } from './lib/local-prometheus.js';
import {
  ensureMysqlServer,
  localServerPid,
  provisionServiceDatabase,
  redact,
  SetupError,
} from './lib/mysql-server.js';
import { ensureNatsServer } from './lib/nats-server.js';
import { paths, readJson, repoRoot, writeSecretJson } from './lib/paths.js';
import {
  describeExit,
  exitCodeOf,
  exited,
  info,
  isRunning,
  label,
  sleep,
  spawnPrefixed,
  step,
  stop,
  style,
} from './lib/processes.js';
import {
  LOCAL_MAIL_SINK,
  LOCAL_MAIL_SINK_URL,
  mainArgs,
  migrateArgs,
  type RunContext,
  type ServiceSpec,
  seedArgs,
  serviceDir,
  serviceEnv,
  services,
  serviceUrl,
} from './lib/services.js';

const READY_TIMEOUT_MS = Number(process.env.READY_TIMEOUT_MS ?? 90_000);
const STOP_GRACE_MS = 10_000;
const node = process.execPath;
const nameWidth = Math.max(...services.map((s) => s.name.length));

// ---------------------------------------------------------------------------------------------------
// Child bookkeeping and shutdown

const children = new Set<ChildProcess>();
let shuttingDown = false;

async function shutdown(code: number, reason: string): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    const running = [...children].filter(isRunning);
    const stopping = running.length > 0 ? `: stopping ${running.length} process(es)` : '';
    if (code === 0) info('start', `${reason}${stopping}`);
    else console.error(style.red(`[start] ${reason}${stopping}`));
    await Promise.all(running.map((child) => stop(child, STOP_GRACE_MS)));
    if (localServerPid() !== undefined) {
      info('start', `the MariaDB server keeps running (stop it with: kill "$(cat ${rel(paths.mysqlPid)})")`);
    }
    process.exit(code);
  }
  // A second call (e.g. Ctrl-C reaching us both from the terminal and via bootstrap) waits for the first.
  return new Promise<never>(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `received ${signal}`));
}
// Last resort if we die abnormally: do not leave detached services behind.
process.on('exit', () => {
  for (const child of children) {
    if (isRunning(child) && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  }
});

const rel = (p: string) => relative(repoRoot, p);

// ---------------------------------------------------------------------------------------------------
// Steps

interface AdminCredentials {
  email: string;
  password: string;
  source: 'env' | 'file';
}

/** ADMIN_EMAIL/ADMIN_PASSWORD from the environment, else generated once into .local/admin.json. */
function adminCredentials(): AdminCredentials {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = process.env;
  if (email || password) {
    if (!email || !password) throw new SetupError('set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither');
    return { email, password, source: 'env' };
  }
  const saved = readJson<{ email: string; password: string }>(paths.admin);
  if (saved?.email && saved.password) return { ...saved, source: 'file' };
  const created = { email: 'admin@bonding.local', password: generatePassword(20) };
  writeSecretJson(paths.admin, created);
  info('start', `generated the first admin's credentials into ${rel(paths.admin)}`);
  return { ...created, source: 'file' };
}

/** Random password with at least one lower, upper, digit and symbol (satisfies common policies). */
function generatePassword(length: number): string {
  // Symbols limited to ones that need no quoting in a shell or a URL.
  const classes = ['abcdefghijkmnopqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '-_.'];
  const all = classes.join('');
  const chars = classes.map((set) => set[randomInt(set.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** kong/kong.yml with this checkout's public key(s); EDGE_RATE_LIMITS and EDGE_UPSTREAMS override. */
function renderEdgeConfig(keysDir: string): string {
  const out = join(repoRoot, '.local', 'kong', 'kong.yml');
  const rendered = renderKongConfig(readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8'), {
    keys: publicKeysFromDir(keysDir),
    upstreams: parsePairs(process.env.EDGE_UPSTREAMS),
    rateLimits: parseRateLimits(process.env.EDGE_RATE_LIMITS),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, rendered);
  return out;
}

/**
 * Where e-mail goes in a local run: the server SMTP_URL names, else a local SMTP sink that saves each
 * message as an .eml file in .local/mail/ (open it with any mail client, or read it as text).
 */
async function startLocalMailSink(): Promise<string> {
  if (process.env.SMTP_URL) return 'sent to SMTP_URL (from the environment)';
  const dir = join(repoRoot, '.local', 'mail');
  const save = saveToFolder(dir);
  try {
    await startMailSink({
      ...LOCAL_MAIL_SINK,
      accept: (message) => info('mail', `received ${rel(save(message))}`),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    info('start', `port ${LOCAL_MAIL_SINK.port} is taken: e-mail goes to whatever SMTP server listens there`);
    return `sent to ${LOCAL_MAIL_SINK_URL} (another program's)`;
  }
  info('start', `local mail sink on ${LOCAL_MAIL_SINK_URL}: e-mails are saved in ${rel(dir)}/`);
  return `${rel(dir)}/*.eml  ${style.dim(`(local SMTP sink on ${LOCAL_MAIL_SINK_URL})`)}`;
}

function checkServiceSources(): void {
  for (const spec of services) {
    for (const file of spec.database === false ? ['src/main.ts'] : ['src/main.ts', 'src/migrate.ts']) {
      const path = join(serviceDir(spec), file);
      if (!existsSync(path)) throw new SetupError(`${rel(path)} does not exist (service ${spec.name})`);
    }
  }
}

function migrate(spec: ServiceSpec, index: number, ctx: RunContext): Promise<void> {
  return runScript(spec, index, ctx, migrateArgs, 'migrations');
}

/** Runs a one-shot script of a service (migrations, seeding) to completion; a failure stops the start. */
async function runScript(
  spec: ServiceSpec,
  index: number,
  ctx: RunContext,
  args: string[],
  what: string,
): Promise<void> {
  const child = spawnPrefixed(node, args, {
    cwd: serviceDir(spec),
    env: serviceEnv(spec, ctx),
    prefix: label(spec.name, index, nameWidth),
  });
  children.add(child);
  const exit = await exited(child);
  children.delete(child);
  if (shuttingDown) return;
  if (exitCodeOf(exit) !== 0) {
    await shutdown(exitCodeOf(exit) || 1, `${what} of ${spec.name} failed (${describeExit(exit)})`);
  }
}

function startService(spec: ServiceSpec, index: number, ctx: RunContext): ChildProcess {
  const child = spawnPrefixed(node, mainArgs, {
    cwd: serviceDir(spec),
    env: serviceEnv(spec, ctx),
    prefix: label(spec.name, index, nameWidth),
    detached: true,
  });
  children.add(child);
  exited(child).then(
    (exit) => {
      if (!shuttingDown) void shutdown(1, `${spec.name} ${describeExit(exit)} unexpectedly`);
    },
    (err: Error) => {
      if (!shuttingDown) void shutdown(1, `${spec.name} could not be started: ${err.message}`);
    },
  );
  return child;
}

async function waitReady(spec: ServiceSpec): Promise<number> {
  const started = Date.now();
  const url = spec.readyUrl ?? `http://127.0.0.1:${spec.port}/readyz`;
  let last = 'no answer yet';
  while (Date.now() - started < READY_TIMEOUT_MS) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return Date.now() - started;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    await sleep(250);
  }
  return shutdown(1, `${spec.name} was not ready within ${READY_TIMEOUT_MS / 1000} s (GET ${url}: ${last})`);
}

/** `--prometheus`: stopped with the services; if it dies on its own, the services keep running. */
async function startPrometheus(): Promise<string> {
  step('Prometheus');
  const { child, url, configFile } = await startLocalPrometheus(
    services,
    label('prometheus', services.length, nameWidth),
  );
  children.add(child);
  void exited(child).then((exit) => {
    children.delete(child);
    if (!shuttingDown) info('start', `prometheus ${describeExit(exit)}; the services keep running`);
  });
  info('start', `prometheus on ${url}, scraping what ${rel(configFile)} lists`);
  return url;
}

// ---------------------------------------------------------------------------------------------------
// Banner

const visibleLength = (s: string) => stripVTControlCharacters(s).length;

function box(lines: string[]): string {
  const width = Math.max(...lines.map(visibleLength));
  const body = lines.map((l) => `│ ${l}${' '.repeat(width - visibleLength(l))} │`);
  return [`╭${'─'.repeat(width + 2)}╮`, ...body, `╰${'─'.repeat(width + 2)}╯`].join('\n');
}

function banner(adminUrl: string, admin: AdminCredentials, mail: string, prometheusUrl?: string): string {
  const lines = [style.bold('Bonding Platform is running'), ''];
  const edge = services.find((s) => s.edge);
  if (edge) {
    lines.push(`API            ${serviceUrl(edge)}/api/v1  ${style.dim('(the edge: every call goes here)')}`);
    lines.push(`API reference  ${serviceUrl(edge)}/docs`);
  }
  lines.push(`E-mail         ${mail}`);
  if (prometheusUrl) {
    lines.push(
      `Prometheus     ${prometheusUrl}  ${style.dim('(scrapes every /metrics; data in .local/prometheus/)')}`,
    );
  }
  lines.push('', style.dim('Each service directly (its /openapi.json, /metrics, /readyz):'));
  for (const spec of services.filter((s) => !s.edge)) {
    lines.push(`${spec.name.padEnd(14)} ${serviceUrl(spec)}`);
  }
  lines.push('', style.bold('First admin'));
  lines.push(`  e-mail       ${admin.email}`);
  lines.push(
    admin.source === 'env'
      ? `  password     ${style.dim('(from ADMIN_PASSWORD)')}`
      : `  password     ${admin.password}  ${style.dim(`(saved in ${rel(paths.admin)})`)}`,
  );
  const db = new URL(adminUrl);
  lines.push('', `Database       ${db.host} ${style.dim(`(admin URL: ${redact(adminUrl)})`)}`);
  if (localServerPid() !== undefined) {
    lines.push(
      `               ${style.dim(`keeps running after Ctrl-C; stop: kill "$(cat ${rel(paths.mysqlPid)})"`)}`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop the services.');
  return box(lines);
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = Date.now();
  checkServiceSources();

  step('Database server');
  const adminUrl = await ensureMysqlServer();

  step('NATS server (JetStream) and the platform stream');
  const natsUrl = await ensureNatsServer();
  await provisionPlatformStreams(natsUrl);

  step('Service databases, keys and credentials');
  const mysqlUrls: Record<string, string> = {};
  for (const spec of services) {
    if (spec.database === false) continue;
    mysqlUrls[spec.name] = await provisionServiceDatabase(adminUrl, spec.name);
    info('start', `${spec.name}: database bonding_${spec.name}, user ${spec.name}_app`);
  }
  const keysDir = ensureSigningKeys();
  info('start', `JWT signing keys: ${rel(keysDir)}`);
  const admin = adminCredentials();
  const edgeConfig = renderEdgeConfig(keysDir);
  info('start', `edge configuration: ${rel(edgeConfig)} (from kong/kong.yml)`);
  const ctx: RunContext = {
    mysqlUrls,
    keysDir,
    edgeConfig,
    admin,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    natsUrl,
  };

  step('Migrations');
  await Promise.all(services.map((spec, i) => (spec.database === false ? undefined : migrate(spec, i, ctx))));
  await Promise.all(
    services.map((spec, i) => (spec.seed ? runScript(spec, i, ctx, seedArgs, 'demo data') : undefined)),
  );

  step('Starting services');
  const mail = await startLocalMailSink();
  for (const [i, spec] of services.entries()) startService(spec, i, ctx);
  const readyIn = await Promise.all(services.map((spec) => waitReady(spec)));
  if (shuttingDown) return;
  for (const [i, spec] of services.entries()) info('start', `${spec.name} ready after ${readyIn[i]} ms`);
  const prometheusUrl = process.argv.includes(PROMETHEUS_FLAG) ? await startPrometheus() : undefined;

  console.log(`\n${banner(adminUrl, admin, mail, prometheusUrl)}`);
  info('start', `up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // From here on the children keep the event loop alive; a signal or a child's death ends the run.
}

main().catch((err: unknown) => {
  const message = err instanceof SetupError ? err.message : ((err as Error).stack ?? String(err));
  console.error(style.red(`\n✖ npm start failed: ${message}`));
  void shutdown(1, 'setup failed');
});
