// The processes `npm start` runs. Each lives in services/<name> with
//   src/main.ts     starts its HTTP server (serving /readyz, /openapi.json, ...),
//   src/migrate.ts  runs its migrations and exits (0 = success) — services that own a database only.
// Ports, databases and event subscriptions come from platform/shape.ts, the platform's one declaration.
import { join } from 'node:path';
import { subscriptionText } from '../../platform/generate/subscription-text.js';
import { services as declaredServices, type ServiceName, subscriptions } from '../../platform/shape.js';
import type { EventSubscription } from '../../platform/shape-types.js';
import { eventEnv } from './event-env.js';
import { localFieldKeys, localIdentityFieldKeys } from './field-keys.js';
import { repoRoot } from './paths.js';

export interface ServiceSpec {
  name: string;
  port: number;
  /** Owns a MySQL database `bonding_<name>` (default true). */
  database?: boolean;
  /** The public entry point (the local gateway) rather than a backend service. */
  edge?: boolean;
  /** Has `src/seed.ts`, run after migrations to add demo data once. */
  seed?: boolean;
  /** Where readiness is checked, when not at /readyz on the service port (the gateway's status port). */
  readyUrl?: string;
  /** Extra environment for this service only. */
  env?: (ctx: RunContext) => Record<string, string>;
  /**
   * Event types (or `noun.*` patterns, or `type?field=value`) it consumes, e.g.
   * ['user.registered', 'user.updated', 'user.disabled']: its EVENT_SUBSCRIPTIONS.
   */
  consumes?: string[];
}

/** What start.ts has prepared, from which each service's environment is built. */
export interface RunContext {
  mysqlUrls: Record<string, string>;
  keysDir: string;
  /** The rendered kong.yml the gateway loads. */
  edgeConfig: string;
  admin: { email: string; password: string };
  logLevel: string;
  /** The NATS server the services publish to and consume from (the platform's stream, provisioned). */
  natsUrl: string;
}

/** The local SMTP sink npm start runs when SMTP_URL is not set (scripts/start.ts). */
export const LOCAL_MAIL_SINK = { host: '127.0.0.1', port: 1025 };
export const LOCAL_MAIL_SINK_URL = `smtp://${LOCAL_MAIL_SINK.host}:${LOCAL_MAIL_SINK.port}`;

/** What only a local run adds to a declared service: its environment, demo data. */
const localExtras: Partial<Record<ServiceName, Partial<ServiceSpec>>> = {
  identity: {
    env: (ctx) => ({
      JWT_KEYS_DIR: ctx.keysDir,
      ADMIN_EMAIL: ctx.admin.email,
      ADMIN_PASSWORD: ctx.admin.password,
      ...localIdentityFieldKeys(),
    }),
  },
  students: { env: () => ({ ...localFieldKeys() }) },
  catalog: { seed: true },
  // Calls catalog and students with the user's token, the ledger's /internal/transfers signed (default URLs).
  // E-mail goes to the mail sink npm start runs (.local/mail/*.eml), unless SMTP_URL names a real server.
  notifications: { env: () => ({ SMTP_URL: process.env.SMTP_URL || LOCAL_MAIL_SINK_URL }) },
};

/** The gateway's status port: /status/ready and /metrics, never its public port. */
const GATEWAY_STATUS_PORT = 8100;

const subscribed = subscriptions as Partial<Record<ServiceName, readonly EventSubscription[]>>;

/** The declared services (platform/shape.ts: ports, databases, subscriptions), then the local edge. */
export const services: ServiceSpec[] = [
  ...declaredServices.map(
    (service): ServiceSpec => ({
      name: service.name,
      port: service.port,
      ...('database' in service ? { database: service.database } : {}),
      ...(subscribed[service.name] ? { consumes: subscribed[service.name]?.map(subscriptionText) } : {}),
      ...localExtras[service.name],
    }),
  ),
  {
    name: 'gateway',
    port: 8000,
    database: false,
    edge: true,
    readyUrl: `http://127.0.0.1:${GATEWAY_STATUS_PORT}/status/ready`,
    // It reads user.disabled and session.ended from the stream into its token denylist (NATS_URL), so it
    // refuses those tokens as the services do. Only locally: Kong in Kubernetes cannot consult a denylist.
    env: (ctx) => ({ GATEWAY_CONFIG: ctx.edgeConfig, STATUS_PORT: String(GATEWAY_STATUS_PORT) }),
  },
];

const identityPort = declaredServices.find((service) => service.name === 'identity')?.port;
export const JWT_ISSUER = `http://localhost:${identityPort}`;
export const JWT_AUDIENCE = 'bonding-platform';
export const JWKS_URL = `http://127.0.0.1:${identityPort}/.well-known/jwks.json`;

export const serviceDir = (spec: ServiceSpec) => join(repoRoot, 'services', spec.name);
export const serviceUrl = (spec: ServiceSpec) => `http://localhost:${spec.port}`;

export function serviceEnv(spec: ServiceSpec, ctx: RunContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(spec.port),
    LOG_LEVEL: ctx.logLevel,
    JWT_ISSUER,
    JWT_AUDIENCE,
    JWKS_URL,
    // INTERNAL_SECRETS, INTERNAL_PEER_SECRETS, EVENT_SUBSCRIPTIONS (see scripts/lib/event-env.ts).
    ...eventEnv(spec, services),
    NATS_URL: ctx.natsUrl,
    ...spec.env?.(ctx),
  };
  // The admin URL is for this tooling and the tests, never for a service.
  delete env.MYSQL_ADMIN_URL;
  const mysqlUrl = ctx.mysqlUrls[spec.name];
  if (mysqlUrl) env.MYSQL_URL = mysqlUrl;
  return env;
}

/** `node` arguments (run with cwd = the service directory). */
export const migrateArgs = ['--import', 'tsx', 'src/migrate.ts'];
export const seedArgs = ['--import', 'tsx', 'src/seed.ts'];
export const mainArgs = ['--import', 'tsx', '--import', '@bonding/kit/tracing', 'src/main.ts'];
