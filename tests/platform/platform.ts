import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CallOptions,
  createApiClient,
  createSigningKeyDir,
  createTestDatabase,
  freePort,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
} from '@bonding/testing';
import { eventEnv } from '../../scripts/lib/event-env.js';
import { deletePlatformStream, provisionPlatformStreams } from '../../scripts/lib/jetstream-provision.js';
import { describeExit, runCaptured } from '../../scripts/lib/processes.js';
import { services as registry } from '../../scripts/lib/services.js';
import { renderForTest, repoRoot, startGatewayProcess } from '../../services/gateway/test/edge.js';
import { overrideEdgeServices } from './edge-overrides.js';

/**
 * The platform as real processes behind the real edge, wired the way `npm start` wires it: every
 * service on its own fresh database, internal secrets and EVENT_SUBSCRIPTIONS derived from the service
 * registry (scripts/lib/services.ts), events on a JetStream stream and subject root of this platform's
 * own (provisioned from platform/shape.ts like the real one, so platforms running in parallel on one
 * NATS server never see each other's events), and the gateway enforcing kong/kong.yml with raised rate limits and
 * refusing the tokens identity's events denylist.
 * For tests that follow a user across services (the loan story, traces, faults, fuzzing).
 */
export const PLATFORM_SERVICES = [
  'identity',
  'students',
  'catalog',
  'ledger',
  'loans',
  'notifications',
] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

export const PLATFORM_ADMIN = { email: 'platform.admin@bonding.test', password: 'platform-admin-password' };

export interface PlatformOptions {
  /** Prefix of the test databases, e.g. 'story'. */
  name: string;
  /** Which services run (default: all but notifications). Identity always runs. */
  services?: readonly PlatformService[];
  /** Extra environment per process, on top of the wiring (e.g. OTEL_* for a trace test). */
  env?: Partial<Record<PlatformService | 'gateway' | 'all', Record<string, string>>>;
  /** Edge rate limits per kong.yml tag (default: high enough never to interfere). */
  rateLimits?: Record<string, Record<string, number>>;
  /** Kong service fields to change in the rendered kong.yml, e.g. { catalog: { read_timeout: 1000 } }. */
  edgeServices?: Partial<Record<PlatformService, Record<string, number>>>;
  /** How long each process may take to become ready (default 60 s; tracing's loader makes start-up slower). */
  startTimeoutMs?: number;
  /** The NATS server (default: the tests' shared one); a test that stops the broker passes its private one. */
  natsUrl?: string;
  /** How each service runs (default: as `npm start` runs it, from services/<name> under tsx). */
  launch?: (name: PlatformService) => ServiceLaunch;
}

/** A service's process: where and with what `node` arguments it runs (e.g. an image's build and CMD). */
export interface ServiceLaunch {
  /** The working directory. */
  cwd: string;
  nodeArgs: string[];
  /**
   * `node` arguments of a step that runs to completion, with the service's environment, before the service
   * starts (the chart's migrations init container); the service then starts with MIGRATE_ON_START off.
   */
  initArgs?: string[];
  /**
   * How a `node` invocation with the service's environment runs (default: this Node in `cwd`); e.g. in a
   * container of the service's image. `env` is what the process gets, PORT and HOST included.
   */
  run?: (nodeArgs: string[], env: Record<string, string>) => { command: string; args: string[] };
}

export interface Platform {
  /** The gateway's base URL: what a client calls. */
  edge: string;
  /** The gateway's status port (Kong's /status and /metrics). */
  statusUrl: string;
  url(name: PlatformService): string;
  databaseUrl(name: PlatformService): string;
  process(name: PlatformService | 'gateway'): ServiceProcess | undefined;
  /** Stops a service (SIGTERM by default; SIGKILL to simulate a crash). */
  stop(name: PlatformService, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped service again with the same wiring and database. */
  start(name: PlatformService): Promise<void>;
  /** Starts one more process of a service on a port of its own, with the same wiring and database; close() stops it. */
  replica(name: PlatformService): Promise<ServiceProcess>;
  /** A JSON call through the edge; `path` is below /api/v1. */
  api(method: string, path: string, options?: CallOptions): ReturnType<ReturnType<typeof createApiClient>>;
  close(): Promise<void>;
}

const DEFAULT_SERVICES: readonly PlatformService[] = ['identity', 'students', 'catalog', 'ledger', 'loans'];

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const names = [...new Set<PlatformService>(['identity', ...(options.services ?? DEFAULT_SERVICES)])];
  // A stream and subject root of this platform's own, before anything else that would need cleaning up.
  const streamId = randomBytes(4).toString('hex');
  const nats = {
    NATS_URL: options.natsUrl ?? natsUrl(),
    NATS_STREAM: `P_${options.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_${streamId}`,
    NATS_SUBJECT_PREFIX: `p${streamId}`,
  };
  await provisionPlatformStreams(nats.NATS_URL, {
    stream: nats.NATS_STREAM,
    prefix: nats.NATS_SUBJECT_PREFIX,
    quiet: true,
  });
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await freePort()] as const)),
  ) as Record<PlatformService, number>;
  const databases = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => [name, await createTestDatabase(`${options.name}_${name}`)] as const),
    ),
  ) as Record<PlatformService, TestDatabase>;
  const url = (name: PlatformService) => `http://127.0.0.1:${ports[name]}`;
  const keys = createSigningKeyDir();

  // The registry's services, on this run's ports and with this run's own secrets file.
  const gatewayPorts = { port: await freePort(), statusPort: await freePort() };
  const gatewaySpec = registry.find((spec) => spec.edge) as (typeof registry)[number];
  const running = [
    ...registry
      .filter((spec) => (names as readonly string[]).includes(spec.name))
      .map((spec) => ({ ...spec, port: ports[spec.name as PlatformService] })),
    { ...gatewaySpec, port: gatewayPorts.port },
  ];
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'bonding-platform-')), 'internal-secrets.json');

  const own: Record<PlatformService, Record<string, string>> = {
    identity: {
      JWT_KEYS_DIR: keys.dir,
      ADMIN_EMAIL: PLATFORM_ADMIN.email,
      ADMIN_PASSWORD: PLATFORM_ADMIN.password,
      // Encrypts authenticator secrets; without it two-factor routes answer 503 (npm start gives it one too).
      FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    },
    students: {
      FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    },
    catalog: {},
    ledger: {},
    loans: {},
    notifications: {},
  };
  const envOf = (name: PlatformService): Record<string, string> => {
    const spec = running.find((s) => s.name === name);
    return {
      MYSQL_URL: databases[name].url,
      MIGRATE_ON_START: options.launch?.(name).initArgs ? 'false' : 'true',
      JWKS_URL: `${url('identity')}/.well-known/jwks.json`,
      CATALOG_URL: names.includes('catalog') ? url('catalog') : '',
      STUDENTS_URL: names.includes('students') ? url('students') : '',
      LEDGER_URL: names.includes('ledger') ? url('ledger') : '',
      ...nats,
      EVENT_POLL_INTERVAL_MS: '50',
      EVENT_RETRY_BASE_MS: '100',
      EVENT_RETRY_MAX_MS: '1000',
      LOG_LEVEL: 'warn',
      ...(spec ? eventEnv(spec, running, secretsFile) : {}),
      ...own[name],
      ...options.env?.all,
      ...options.env?.[name],
    };
  };

  const processes: Partial<Record<PlatformService | 'gateway', ServiceProcess>> = {};
  const launchProcess = async (name: PlatformService, port: number): Promise<ServiceProcess> => {
    const launch = options.launch?.(name);
    const env = Object.fromEntries(Object.entries(envOf(name)).filter(([, value]) => value !== ''));
    const run = (nodeArgs: string[], processEnv: Record<string, string>) =>
      launch?.run?.(nodeArgs, processEnv) ?? { command: process.execPath, args: nodeArgs };
    if (launch?.initArgs) {
      const init = run(launch.initArgs, env);
      const { exit, output } = await runCaptured(init.command, init.args, {
        cwd: launch.cwd,
        env: { ...process.env, ...env },
      });
      if (exit.code !== 0)
        throw new Error(`${name}: node ${launch.initArgs.join(' ')} ${describeExit(exit)}:\n${output}`);
    }
    const service = launch?.nodeArgs
      ? run(launch.nodeArgs, { ...env, PORT: String(port), HOST: '127.0.0.1' })
      : undefined;
    return startServiceProcess({
      cwd: launch?.cwd ?? join(repoRoot, 'services', name),
      command: service?.command,
      nodeArgs: service?.args,
      port,
      env,
      timeoutMs: options.startTimeoutMs ?? 60_000,
    });
  };
  const start = async (name: PlatformService) => {
    processes[name] = await launchProcess(name, ports[name]);
  };
  const replicas: ServiceProcess[] = [];
  const close = async () => {
    await Promise.all([...Object.values(processes), ...replicas].map((p) => p?.stop('SIGKILL')));
    await Promise.all(Object.values(databases).map((db) => db.drop()));
    await deletePlatformStream(nats.NATS_URL, nats.NATS_STREAM);
  };

  let statusUrl = '';
  try {
    // Identity first: the others fetch its JWKS and it creates the admin.
    await start('identity');
    await Promise.all(names.filter((name) => name !== 'identity').map(start));
    const configFile = renderForTest({
      keysDir: keys.dir,
      upstreams: {
        ...Object.fromEntries(names.map((name) => [name, url(name)])),
        // kong.yml serves the notifications stream from a second Kong service (its own long read timeout).
        ...(names.includes('notifications') ? { 'notifications-stream': url('notifications') } : {}),
      },
      rateLimits: options.rateLimits ?? {
        'limit-per-user': { second: 10_000, minute: 600_000 },
        'limit-per-address': { second: 10_000, minute: 600_000 },
        'limit-sign-in': { minute: 10_000 },
      },
    });
    if (options.edgeServices) overrideEdgeServices(configFile, options.edgeServices);
    const started = await startGatewayProcess(
      configFile,
      { ...nats, ...options.env?.all, ...options.env?.gateway },
      options.startTimeoutMs,
      gatewayPorts,
    );
    processes.gateway = started.gateway;
    statusUrl = started.statusUrl;
  } catch (error) {
    await close();
    throw error;
  }
  const edge = (processes.gateway as ServiceProcess).baseUrl;
  const api = createApiClient((path, init) => fetch(`${edge}/api/v1${path}`, init));

  return {
    edge,
    statusUrl,
    url,
    databaseUrl: (name) => databases[name].url,
    process: (name) => processes[name],
    stop: async (name, signal = 'SIGTERM') => {
      await processes[name]?.stop(signal);
      delete processes[name];
    },
    start,
    replica: async (name) => {
      const replica = await launchProcess(name, await freePort());
      replicas.push(replica);
      return replica;
    },
    api,
    close,
  };
}
