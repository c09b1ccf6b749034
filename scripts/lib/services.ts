// The services `npm start` runs, in start order. Each lives in services/<name> with
//   src/migrate.ts  runs its migrations and exits (0 = success),
//   src/main.ts     starts its HTTP server (serving /readyz, /openapi.json, ...).
// Add the others here as they land (ports as in the design, section 1):
//   { name: 'students', port: 3002 }, { name: 'catalog', port: 3003 }, { name: 'loans', port: 3004 },
//   { name: 'ledger', port: 3005 }, { name: 'notifications', port: 3006 },
//   { name: 'gateway', port: 8000, database: false, edge: true }  (TODO: the local Kong stand-in; once
//   it exists, the start banner shows it as the entry point and it needs the rendered kong.yml path.)
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface ServiceSpec {
  name: string;
  port: number;
  /** Owns a MySQL database `bonding_<name>` (default true). */
  database?: boolean;
  /** The public entry point (the local gateway) rather than a backend service. */
  edge?: boolean;
  /** Extra environment for this service only. */
  env?: (ctx: RunContext) => Record<string, string>;
}

/** What start.ts has prepared, from which each service's environment is built. */
export interface RunContext {
  mysqlUrls: Record<string, string>;
  keysDir: string;
  admin: { email: string; password: string };
  logLevel: string;
}

export const services: ServiceSpec[] = [
  {
    name: 'identity',
    port: 3001,
    env: (ctx) => ({
      JWT_KEYS_DIR: ctx.keysDir,
      ADMIN_EMAIL: ctx.admin.email,
      ADMIN_PASSWORD: ctx.admin.password,
    }),
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
export const mainArgs = ['--import', 'tsx', '--import', '@bonding/kit/tracing', 'src/main.ts'];
