// The local stack in its benchmark profile: the services npm start runs (scripts/lib/services.ts), on
// their own databases (bonding_bench_<service>), keys and secrets under .local/bench/, on ports shifted by
// PORT_OFFSET so that a running `npm start` is never touched. Compared with npm start: edge rate limits
// raised, logs at warn, and the ledger's periodic reconciliation (a full read of every entry) off so that it
// cannot land inside a measurement.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventEnv } from '../../scripts/lib/event-env.js';
import { localFieldKeys } from '../../scripts/lib/field-keys.js';
import { provisionPlatformStreams } from '../../scripts/lib/jetstream-provision.js';
import { ensureSigningKeys } from '../../scripts/lib/keys.js';
import { provisionServiceDatabase } from '../../scripts/lib/mysql-server.js';
import { localDir, readJson, repoRoot, writeSecretJson } from '../../scripts/lib/paths.js';
import { type RunContext, type ServiceSpec, serviceEnv, services } from '../../scripts/lib/services.js';
import { publicKeysFromDir, renderKongConfig } from '../../services/gateway/src/declarative/render.js';

export const PORT_OFFSET = 10_000;
export const benchDir = join(localDir, 'bench');
export const OTLP_SINK_PORT = 14_318;
export const MAIL_SINK_PORT = 11_025;
const GATEWAY_STATUS_PORT = 8100 + PORT_OFFSET;

/** The edge limits of the profile: high enough never to answer 429 to the load generator. */
export const BENCH_RATE_LIMITS = {
  'limit-per-user': { second: 10_000_000, minute: 600_000_000 },
  'limit-per-address': { second: 10_000_000, minute: 600_000_000 },
  'limit-sign-in': { second: 10_000_000, minute: 600_000_000 },
};

export const benchServices: ServiceSpec[] = services.map((spec) => ({
  ...spec,
  port: spec.port + PORT_OFFSET,
  ...(spec.edge ? { readyUrl: `http://127.0.0.1:${GATEWAY_STATUS_PORT}/status/ready` } : {}),
}));

export const benchUrl = (name: string): string => {
  const spec = benchServices.find((s) => s.name === name);
  if (!spec) throw new Error(`no service ${name}`);
  return `http://127.0.0.1:${spec.port}`;
};

export const edgeUrl = () => benchUrl(benchServices.find((s) => s.edge)?.name ?? 'gateway');

export interface BenchStack {
  ctx: RunContext;
  adminUrl: string;
  mysqlUrls: Record<string, string>;
  /** The environment of one service, with tracing as shipped (on, to the OTLP sink) or off. */
  envFor(spec: ServiceSpec, tracing: boolean): NodeJS.ProcessEnv;
}

/** The bench's own stream and subject root on the shared NATS server, apart from `npm start`'s. */
export const BENCH_STREAM = { stream: 'BENCH_EVENTS', prefix: 'bench' };

/**
 * Databases, users, keys, secrets, the admin, the rendered edge config and the bench's stream: created
 * once, then reused.
 */
export async function prepareBenchStack(adminUrl: string, natsUrl: string): Promise<BenchStack> {
  mkdirSync(benchDir, { recursive: true, mode: 0o700 });
  await provisionPlatformStreams(natsUrl, BENCH_STREAM);
  const mysqlUrls: Record<string, string> = {};
  for (const spec of benchServices) {
    if (spec.database === false) continue;
    const url = await provisionServiceDatabase(
      adminUrl,
      `bench_${spec.name}`,
      join(benchDir, 'mysql-services.json'),
    );
    mysqlUrls[spec.name] = url;
  }
  const keysDir = ensureSigningKeys(join(benchDir, 'keys'));
  const ctx: RunContext = {
    mysqlUrls,
    keysDir,
    edgeConfig: renderEdge(keysDir),
    admin: benchAdmin(),
    logLevel: 'warn',
    natsUrl,
  };
  // Each service seals with its own keys (students: national ids and bank accounts; identity: TOTP secrets).
  const fieldKeys: Record<string, Record<string, string>> = {
    students: { ...localFieldKeys(join(benchDir, 'field-keys.json')) },
    identity: {
      FIELD_ENCRYPTION_KEYS: localFieldKeys(join(benchDir, 'identity-field-keys.json')).FIELD_ENCRYPTION_KEYS,
    },
  };
  const secretsFile = join(benchDir, 'internal-secrets.json');

  function envFor(spec: ServiceSpec, tracing: boolean): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...serviceEnv(spec, ctx),
      ...eventEnv(spec, benchServices, secretsFile),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWKS_URL: `${benchUrl('identity')}/.well-known/jwks.json`,
      CATALOG_URL: benchUrl('catalog'),
      STUDENTS_URL: benchUrl('students'),
      LEDGER_URL: benchUrl('ledger'),
      SMTP_URL: `smtp://127.0.0.1:${MAIL_SINK_PORT}`,
      STATUS_PORT: String(GATEWAY_STATUS_PORT),
      RECONCILIATION_INTERVAL_MS: '0',
      NATS_STREAM: BENCH_STREAM.stream,
      NATS_SUBJECT_PREFIX: BENCH_STREAM.prefix,
      ...fieldKeys[spec.name],
    };
    for (const key of Object.keys(env)) if (key.startsWith('OTEL_')) delete env[key];
    if (tracing) {
      env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${OTLP_SINK_PORT}`;
      env.OTEL_SERVICE_NAME = spec.name;
    }
    return env;
  }

  return { ctx, adminUrl, mysqlUrls, envFor };
}

/** kong/kong.yml with the bench key, the bench ports and raised limits. */
function renderEdge(keysDir: string): string {
  const upstreams: Record<string, string> = { 'notifications-stream': benchUrl('notifications') };
  for (const spec of benchServices) if (!spec.edge) upstreams[spec.name] = benchUrl(spec.name);
  const rendered = renderKongConfig(readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8'), {
    keys: publicKeysFromDir(keysDir),
    upstreams,
    rateLimits: BENCH_RATE_LIMITS,
  });
  const file = join(benchDir, 'kong.yml');
  writeFileSync(file, rendered);
  return file;
}

function benchAdmin(): { email: string; password: string } {
  const file = join(benchDir, 'admin.json');
  const saved = readJson<{ email: string; password: string }>(file);
  if (saved) return saved;
  const created = {
    email: 'bench.admin@bonding.local',
    password: `Bench-${randomBytes(12).toString('hex')}`,
  };
  writeSecretJson(file, created);
  return created;
}
