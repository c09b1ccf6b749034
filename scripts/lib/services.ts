// The processes `npm start` runs. Each lives in services/<name> with
//   src/main.ts     starts its HTTP server (serving /readyz, /openapi.json, ...),
//   src/migrate.ts  runs its migrations and exits (0 = success) — services that own a database only.
// Give each a route in kong/kong.yml (the parity test insists).
import { join } from 'node:path';
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
   * Event types (or `noun.*` patterns) it consumes at /internal/events, e.g.
   * ['user.registered', 'user.updated', 'user.disabled']: every producer delivers them to it.
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
}

/** The local SMTP sink npm start runs when SMTP_URL is not set (scripts/start.ts). */
export const LOCAL_MAIL_SINK = { host: '127.0.0.1', port: 1025 };
export const LOCAL_MAIL_SINK_URL = `smtp://${LOCAL_MAIL_SINK.host}:${LOCAL_MAIL_SINK.port}`;

export const services: ServiceSpec[] = [
  {
    name: 'identity',
    port: 3001,
    env: (ctx) => ({
      JWT_KEYS_DIR: ctx.keysDir,
      ADMIN_EMAIL: ctx.admin.email,
      ADMIN_PASSWORD: ctx.admin.password,
      ...localIdentityFieldKeys(),
    }),
  },
  {
    name: 'students',
    port: 3002,
    env: () => ({ ...localFieldKeys() }),
    consumes: ['user.registered', 'user.updated', 'user.disabled', 'session.ended'],
  },
  { name: 'catalog', port: 3003, seed: true, consumes: ['user.disabled', 'session.ended'] },
  // Calls catalog and students with the user's token, the ledger's /internal/transfers signed (default URLs).
  // Of the ledger's transfers it acts only on disbursements: the others are not sent to it.
  {
    name: 'loans',
    port: 3004,
    consumes: [
      'user.disabled',
      'session.ended',
      'transfer.completed?purpose=disbursement',
      'disbursement.failed',
    ],
  },
  { name: 'ledger', port: 3005, consumes: ['user.disabled', 'session.ended', 'loan.approved'] },
  {
    name: 'notifications',
    port: 3006,
    // E-mail goes to the mail sink npm start runs (.local/mail/*.eml), unless SMTP_URL names a real server.
    env: () => ({ SMTP_URL: process.env.SMTP_URL || LOCAL_MAIL_SINK_URL }),
    consumes: [
      'user.*',
      'agent.approved',
      'session.ended',
      'loan.*',
      'repayment.received',
      'transfer.completed',
      'disbursement.failed',
    ],
  },
  { name: 'docs', port: 3010, database: false },
  {
    name: 'gateway',
    port: 8000,
    database: false,
    edge: true,
    readyUrl: 'http://127.0.0.1:8100/status/ready',
    env: (ctx) => ({ GATEWAY_CONFIG: ctx.edgeConfig, STATUS_PORT: '8100' }),
  },
];

const identityPort = 3001;
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
    // INTERNAL_SECRETS, INTERNAL_PEER_SECRETS, EVENT_SUBSCRIBERS (see scripts/lib/event-env.ts).
    ...eventEnv(spec, services),
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
