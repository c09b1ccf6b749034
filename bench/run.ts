// `npm run bench`: load benchmarks of the local stack in its benchmark profile, with the baselines
// (the ledger's transaction straight on mysql2; a bare Hono handler), and the processes' memory and
// start-up. Writes bench/results/<date>.md and prints a summary. See bench/README.md.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureMysqlServer, localServerPid } from '../scripts/lib/mysql-server.js';
import { ensureNatsServer, localNatsPid } from '../scripts/lib/nats-server.js';
import { repoRoot } from '../scripts/lib/paths.js';
import { step } from '../scripts/lib/processes.js';
import { JWT_AUDIENCE, JWT_ISSUER } from '../scripts/lib/services.js';
import { startMailSink } from '../services/notifications/src/dev/mail-sink.js';
import type { DbTransferPlan } from './baselines/db-transfer.js';
import { type BenchEvents, waitForEventsDelivered } from './lib/backlog.js';
import { type RunningService, startService } from './lib/child-process.js';
import { benchCloseOfBusiness } from './lib/close-of-business.js';
import { cpuUse, describeCpuUse, readCpu } from './lib/cpu-use.js';
import {
  databaseUser,
  readCounters,
  statementsPerTransfer,
  userStatementsPerTransfer,
} from './lib/database-work.js';
import { GUARDIAN_ENTRY, guardiansPath, signInWriter } from './lib/guardian-writer.js';
import { imageLauncher } from './lib/image-launcher.js';
import { describeMachine, memoryOf } from './lib/machine.js';
import type { BenchRun, Route } from './lib/measurements.js';
import { parseBenchOptions } from './lib/options.js';
import { startOtlpSink } from './lib/otlp-sink.js';
import { writeReport } from './lib/report.js';
import { type Launcher, migrateAndSeed, startStack, stopAll, tsxLauncher } from './lib/run-stack.js';
import { CURRENCY, seedBenchData } from './lib/seed.js';
import { selects, selectsAny } from './lib/selection.js';
import { signOutBurst } from './lib/session-ends.js';
import {
  BENCH_RATE_LIMITS,
  BENCH_STREAM,
  benchUrl,
  edgeUrl,
  MAIL_SINK_PORT,
  OTLP_SINK_PORT,
  PORT_OFFSET,
  prepareBenchStack,
} from './lib/stack.js';
import { DB_TRANSFER_WORKER, LOAD_WORKER, runLoad, runWorker } from './load/run-load.js';
import type { LoadPlan } from './load/scenario.js';

const HONO_FLOOR_PORT = 13_099;
/** The kit's default MYSQL_POOL_SIZE: the ledger's connections, so the database baseline gets as many. */
const SERVICE_POOL_SIZE = 10;
const LOGIN_CONNECTIONS = 10;
/** The burst of sign-outs whose effect on token checks the bench measures (issue #25). */
const SESSION_ENDS = 1_000;
/** The book close of business is measured over (issue #20). */
const COB_BOOK = 10_000;
/** Time for start-up work (first relay polls, JIT of the start path) to finish before idle RSS is read. */
const SETTLE_MS = 3_000;
/** How the images run the services, with tracing configured as shipped: the variant the targets judge. */
const SHIPPED = 'image build, tracing on';

const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, 'bench', 'results'));
const wanted = (id: string) => selects(options.only, id);
const wantedAny = (ids: string[]) => selectsAny(options.only, ids);
const run: BenchRun = {
  startedAt: new Date(),
  quick: options.quick,
  machine: describeMachine(),
  commands: [`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`],
  profile: [
    `ports shifted by +${PORT_OFFSET} (edge on ${edgeUrl()}), databases bonding_bench_<service>, state in .local/bench/`,
    `edge rate limits raised: ${JSON.stringify(BENCH_RATE_LIMITS)}`,
    'LOG_LEVEL=warn, NODE_ENV=production',
    'ledger RECONCILIATION_INTERVAL_MS=0 (its full read of every entry must not land inside a measurement)',
    `tracing as shipped: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${OTLP_SINK_PORT} (a sink that discards), ` +
      'parent-based 10 % ratio sampling, batch export (packages/kit/src/tracing/register.ts defaults)',
    `each load run: ${options.connections} connections, ${options.warmupSeconds} s warm-up (discarded), ` +
      `${options.durationSeconds} s measured, one load-generator process (autocannon) per run`,
    ...(options.only
      ? [
          `only the scenarios whose ids start with ${options.only.join(', ')} (--only); the other phases skipped`,
        ]
      : []),
  ],
  loads: [],
  processes: [],
  notes: [],
};

const started: RunningService[] = [];
let services = new Map<string, RunningService>();
const cleanups: Array<() => Promise<void>> = [];

async function cleanUp(): Promise<void> {
  await stopAll(services);
  await Promise.all(started.map((service) => service.stop()));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n[bench] ${signal}: stopping the bench processes`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function snapshotProcesses(
  running: Map<string, RunningService>,
  variant: string,
  field: 'idle' | 'peak',
  launcher: Launcher,
): void {
  for (const [name, service] of running) {
    // A process the variant does not describe (the gateway beside the images) is not its row.
    if (launcher.covers && !launcher.covers(name)) continue;
    const memory = memoryOf(service.pid);
    if (!memory) continue;
    if (field === 'idle') {
      run.processes.push({ service: name, variant, readyMs: service.readyMs, idleRssMB: memory.rssMB });
    } else {
      const entry = run.processes.find((p) => p.service === name && p.variant === variant);
      if (entry) entry.peakRssMB = memory.peakMB;
    }
  }
}

async function measure(
  id: string,
  endpoint: string,
  route: Route,
  service: string,
  plan: LoadPlan,
  overrides: { variant?: string; connections?: number } = {},
): Promise<void> {
  if (!wanted(id)) return;
  const baseUrl = route === 'edge' ? edgeUrl() : benchUrl(service);
  const variant = overrides.variant ?? 'as shipped';
  process.stdout.write(`  ${id.padEnd(34)} `);
  const result = await runLoad(id, {
    baseUrl,
    connections: overrides.connections ?? options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    plan,
  });
  run.loads.push({ id, endpoint, route, variant, result });
  console.log(
    `${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  ` +
      `p99 ${result.p99Ms.toFixed(1)} ms  errors ${result.errors}` +
      (result.errors > 0 ? `  statuses ${JSON.stringify(result.statusCodes)}` : ''),
  );
}

/** The processes whose CPU a load run shares: the services, the edge, MariaDB and NATS (when local). */
function benchPids(): Record<string, number | undefined> {
  return {
    ...Object.fromEntries([...services].map(([name, service]) => [name, service.pid])),
    mariadb: localServerPid(),
    'nats-server': localNatsPid(),
  };
}

/** The services' databases (their outboxes) and the bench's streams. */
interface EventPlaces {
  databases: string[];
  events: BenchEvents;
}

/** Lets the outbox publishers and the consumers finish what a phase left, so that the next measurement does not pay for it. */
async function settleEvents(after: string, where: EventPlaces): Promise<void> {
  const { seconds, left } = await waitForEventsDelivered(where.databases, where.events);
  run.notes.push(
    left === 0
      ? `events emitted by ${after} were delivered ${seconds.toFixed(1)} s after it`
      : `${left} events emitted by ${after} were still due after ${seconds.toFixed(0)} s; the run went on`,
  );
}

async function idle(
  running: Map<string, RunningService>,
  variant: string,
  launcher: Launcher,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  snapshotProcesses(running, variant, 'idle', launcher);
}

async function main(): Promise<void> {
  step('Bench stack: databases, keys, migrations');
  const adminUrl = await ensureMysqlServer();
  const stack = await prepareBenchStack(adminUrl, await ensureNatsServer());
  await migrateAndSeed(stack);
  const sink = await startOtlpSink(OTLP_SINK_PORT);
  cleanups.push(() => sink.close());
  const mail = await startMailSink({ port: MAIL_SINK_PORT, accept: () => undefined });
  cleanups.push(() => mail.close());

  step('Image trees (scripts/image-layout.sh, as the Dockerfile lays them out)');
  const image = await imageLauncher();

  step(`Starting the services one by one (${SHIPPED})`);
  services = await startStack(stack, { tracing: true, launcher: image });
  for (const [name, service] of services) console.log(`  ${name.padEnd(14)} ready in ${service.readyMs} ms`);
  await idle(services, SHIPPED, image);

  step('Seeding bench data (kept between runs)');
  const data = await seedBenchData({
    adminUrl,
    mysqlUrls: stack.mysqlUrls,
    admin: stack.ctx.admin,
    students: options.students,
    // A million entries take minutes to seed the first time: only for a run that reads statements.
    statementSizes: wanted('statement') ? options.statementSizes : { small: 0, large: 0 },
  });
  if (data.statementEntriesAdded > 0) {
    run.notes.push(
      `${data.statementEntriesAdded} statement entries seeded in this run in ${data.statementSeedSeconds.toFixed(0)} s`,
    );
  }
  const eventDatabases: EventPlaces = {
    databases: Object.values(stack.mysqlUrls),
    events: { natsUrl: stack.ctx.natsUrl, prefix: BENCH_STREAM.prefix },
  };
  await settleEvents('seeding', eventDatabases);

  if (wanted('floor')) {
    step('Framework floor (bare Hono)');
    const floor = await startService(
      'hono-floor',
      process.execPath,
      ['--import', 'tsx', 'bench/baselines/hono-floor.ts'],
      {
        cwd: repoRoot,
        env: { ...process.env, PORT: String(HONO_FLOOR_PORT) },
        readyUrl: `http://127.0.0.1:${HONO_FLOOR_PORT}/hello`,
      },
    );
    started.push(floor);
    const floorRuns = await runLoad('hono floor', {
      baseUrl: `http://127.0.0.1:${HONO_FLOOR_PORT}`,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      plan: { kind: 'get', path: '/hello' },
    });
    run.loads.push({
      id: 'floor',
      endpoint: 'GET /hello (bare Hono)',
      route: 'baseline',
      variant: '',
      result: floorRuns,
    });
    console.log(`  floor ${floorRuns.requestsPerSecond.toFixed(0)} req/s`);
    await floor.stop();
  }

  step('Reads (tracing on, as shipped)');
  const { callers, statements } = data;
  const statementPath = (id: string) => `/api/v1/accounts/${id}/statement?limit=50`;
  for (const route of ['direct', 'edge'] as const) {
    await measure(`products.${route}`, 'GET /products', route, 'catalog', {
      kind: 'get',
      path: '/api/v1/products',
    });
    await measure(`me.${route}`, 'GET /auth/me', route, 'identity', {
      kind: 'get',
      path: '/api/v1/auth/me',
      callers,
    });
    await measure(`students.${route}`, 'GET /students/me', route, 'students', {
      kind: 'get',
      path: '/api/v1/students/me',
      callers,
    });
    await measure(
      `statement-small.${route}`,
      `GET /accounts/{id}/statement (${options.statementSizes.small} entries)`,
      route,
      'ledger',
      {
        kind: 'get',
        path: statementPath(statements.small.accountId),
        callers: [statements.small],
      },
    );
    await measure(
      `statement-large.${route}`,
      `GET /accounts/{id}/statement (${options.statementSizes.large} entries)`,
      route,
      'ledger',
      {
        kind: 'get',
        path: statementPath(statements.large.accountId),
        callers: [statements.large],
      },
    );
  }
  // Identity signs with the last kid in name order (scripts/lib/keys.ts).
  const [signingKey] = readdirSync(stack.ctx.keysDir)
    .filter((f) => f.endsWith('.pem'))
    .sort()
    .reverse();
  if (!signingKey) throw new Error('no bench signing key');
  const victim = callers[0];
  if (!victim) throw new Error('no bench students');
  await measure(
    'students-fresh-tokens.direct',
    'GET /students/me',
    'direct',
    'students',
    {
      kind: 'get-fresh-tokens',
      path: '/api/v1/students/me',
      mint: {
        keyFile: join(stack.ctx.keysDir, signingKey),
        kid: signingKey.slice(0, -'.pem'.length),
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        subject: victim.userId,
        role: 'student',
        count: 10_500,
      },
    },
    { variant: 'a new token every request (cache never hits)' },
  );

  if (wanted('guardians')) {
    // Issue #26: 50 writers on one student's list answered 500 from deadlocks. Each run starts from an
    // empty list (the load worker empties it); the answers must all be 201, 204, 404 or 409.
    step("Concurrent writes to one student's guardians");
    const [writer] = data.credentials;
    if (!writer) throw new Error('no bench students');
    const token = await signInWriter(writer);
    for (const route of ['direct', 'edge'] as const) {
      await measure(
        `guardians.${route}`,
        "POST, then DELETE /students/me/guardians (one student's list)",
        route,
        'students',
        { kind: 'file-entry-writes', path: guardiansPath, token, entry: GUARDIAN_ENTRY },
      );
    }
  }

  if (wanted('session-ends')) {
    // Issue #25: every ended session sits in each service's denylist until its tokens have expired; a
    // burst of sign-outs must not slow the token check every request makes.
    step(`Token checks before and after a burst of ${SESSION_ENDS} session ends`);
    const read: LoadPlan = { kind: 'get', path: '/api/v1/students/me', callers };
    await measure('session-ends.before', 'GET /students/me', 'direct', 'students', read, {
      variant: 'before the burst',
    });
    const burst = await signOutBurst(data.credentials, SESSION_ENDS);
    await settleEvents('the session ends', eventDatabases);
    run.notes.push(
      `${SESSION_ENDS} sessions signed in in ${burst.signInSeconds.toFixed(1)} s and signed out in ` +
        `${burst.signOutSeconds.toFixed(1)} s; every service's denylist then held them`,
    );
    await measure('session-ends.after', 'GET /students/me', 'direct', 'students', read, {
      variant: `after ${SESSION_ENDS} sessions ended`,
    });
  }

  if (wanted('close-of-business')) {
    // Issue #20: the nightly run must get through a real book in minutes, not hours.
    step(`Close of business over ${COB_BOOK.toLocaleString('en')} daily-interest loans`);
    const cob = await benchCloseOfBusiness(stack.mysqlUrls.loans as string, COB_BOOK);
    run.closeOfBusiness = cob;
    console.log(
      `  ${cob.loans} loans closed in ${cob.seconds.toFixed(1)} s: ${cob.loansPerSecond.toFixed(0)} loans/s, ` +
        `${cob.failures} failures`,
    );
  }

  step('Sign-in (argon2id: bound by hashing)');
  for (const route of ['direct', 'edge'] as const) {
    // A sign-in is ~15 ms of hashing on the libuv pool: 50 at once only queue (and their warm-up backlog
    // spills into the measured seconds), so 10 connections.
    await measure(
      `login.${route}`,
      'POST /auth/login',
      route,
      'identity',
      { kind: 'login', path: '/api/v1/auth/login', credentials: data.credentials },
      { variant: '10 connections', connections: LOGIN_CONNECTIONS },
    );
  }

  const transferPlan: LoadPlan = { kind: 'transfer', path: '/api/v1/transfers', callers, currency: CURRENCY };
  if (wantedAny(['transfers.db', 'transfers.direct', 'transfers.edge'])) {
    step('Transfers');
    process.stdout.write(`  ${'transfers.db'.padEnd(34)} `);
    const dbPlan: DbTransferPlan = {
      mysqlUrl: stack.mysqlUrls.ledger as string,
      accountIds: callers.map((c) => c.accountId),
      currency: CURRENCY,
      connections: SERVICE_POOL_SIZE,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
    };
    const ledgerDatabase = new URL(stack.mysqlUrls.ledger as string).pathname.slice(1);
    const beforeDb = await readCounters(adminUrl, ledgerDatabase);
    const dbResult = await runWorker('db transfers', DB_TRANSFER_WORKER, dbPlan);
    const dbStatements = statementsPerTransfer(beforeDb, await readCounters(adminUrl, ledgerDatabase));
    run.loads.push({
      id: 'transfers.db',
      endpoint: `double-entry transfer on mysql2 (${dbPlan.connections} connections)`,
      route: 'baseline',
      variant: '',
      result: dbResult,
    });
    console.log(
      `${dbResult.requestsPerSecond.toFixed(0).padStart(7)} tx/s  p99 ${dbResult.p99Ms.toFixed(1)} ms`,
    );
    for (const route of ['direct', 'edge'] as const) {
      if (!wanted(`transfers.${route}`)) continue;
      const before = await readCounters(adminUrl, ledgerDatabase);
      const cpuBefore = readCpu(benchPids());
      await measure(`transfers.${route}`, 'POST /transfers', route, 'ledger', transferPlan);
      const cpu = { id: `transfers.${route}`, use: cpuUse(cpuBefore, readCpu(benchPids())) };
      run.cpu = [...(run.cpu ?? []), cpu];
      console.log(`  ${''.padEnd(34)} CPU: ${describeCpuUse(cpu.use)}`);
      const during = await readCounters(adminUrl, ledgerDatabase);
      await settleEvents(`transfers.${route}`, eventDatabases);
      const after = await readCounters(adminUrl, ledgerDatabase);
      const perTransfer = statementsPerTransfer(before, after);
      if (route === 'direct' && perTransfer !== undefined && dbStatements !== undefined) {
        const ledgerUser = databaseUser(stack.mysqlUrls.ledger as string);
        const consumers = Object.entries(stack.mysqlUrls).filter(([name]) => name !== 'ledger');
        run.databaseWork = {
          baselineStatements: dbStatements,
          serviceStatements: perTransfer,
          serviceStatementsDuringLoad: statementsPerTransfer(before, during) ?? perTransfer,
          ledgerStatements: userStatementsPerTransfer(ledgerUser, before, after) ?? 0,
          consumerStatements: Object.fromEntries(
            consumers.map(([name, url]) => [
              name,
              userStatementsPerTransfer(databaseUser(url), before, after) ?? 0,
            ]),
          ),
        };
      }
    }
  }
  snapshotProcesses(services, SHIPPED, 'peak', image);

  if (wantedAny(['students.direct.traced', 'transfers.direct.traced'])) {
    // Both sides from freshly started processes, measured alike: comparing fresh untraced processes with
    // ones warmed by the runs above would credit JIT warmth to tracing being off. On, off, off, on: a drift
    // of the machine over the minutes this takes weighs on both sides alike (one round each with --quick).
    step('Tracing on vs off: students and ledger restarted for each side');
    const compared = ['students', 'ledger'];
    const sides = options.quick ? [true, false] : [true, false, false, true];
    for (const [index, tracing] of sides.entries()) {
      for (const name of compared) {
        await services.get(name)?.stop();
        services.delete(name);
      }
      const restarted = await startStack(stack, { tracing, launcher: image, only: compared });
      for (const [name, service] of restarted) services.set(name, service);
      const round = sides.slice(0, index + 1).filter((t) => t === tracing).length;
      const side = `${tracing ? 'traced' : 'untraced'}.${round}`;
      const variant = `tracing ${tracing ? 'on' : 'off'}, fresh process`;
      const studentsMe: LoadPlan = { kind: 'get', path: '/api/v1/students/me', callers };
      await measure(`students.direct.${side}`, 'GET /students/me', 'direct', 'students', studentsMe, {
        variant,
      });
      await measure(`transfers.direct.${side}`, 'POST /transfers', 'direct', 'ledger', transferPlan, {
        variant,
      });
      await settleEvents(`transfers.direct.${side}`, eventDatabases);
    }
    const spans = sink.stats();
    run.notes.push(
      `the OTLP sink received ${spans.exports} exports (${(spans.bytes / 1e6).toFixed(1)} MB) in the run`,
    );
  }
  await stopAll(services);

  if (options.startVariants && options.only === undefined) {
    step('Start-to-ready and idle RSS: npm start (tsx) with tracing, then the image build without');
    await measureLauncher(stack, tsxLauncher, 'npm start (tsx), tracing on', true);
    await measureLauncher(stack, image, 'image build, tracing off', false);
  }
}

async function measureLauncher(
  stack: Awaited<ReturnType<typeof prepareBenchStack>>,
  launcher: Launcher,
  variant: string,
  tracing: boolean,
): Promise<void> {
  services = await startStack(stack, { tracing, launcher });
  for (const [name, service] of services) console.log(`  ${name.padEnd(14)} ready in ${service.readyMs} ms`);
  await idle(services, variant, launcher);
  await stopAll(services);
}

try {
  await main();
} catch (error) {
  run.notes.push(`the run stopped early: ${(error as Error).message.split('\n')[0]}`);
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
run.commands.push(
  'each service as its image runs it: scripts/image-layout.sh <service> .local/bench/image, then ' +
    'node --import ./dist/tracing.mjs dist/main.mjs (cwd .local/bench/image/services/<name>; the gateway: ' +
    'node --import tsx --import @bonding/kit/tracing src/main.ts, as npm start)',
  `each load run: node --import tsx ${LOAD_WORKER} <scenario.json> (autocannon, ${options.connections} connections)`,
  `the database baseline: node --import tsx ${DB_TRANSFER_WORKER} <plan.json>`,
  'the framework floor: node --import tsx bench/baselines/hono-floor.ts',
);
const file = writeReport(run, options.resultsDir);
console.log(`\nresults: ${file}`);
