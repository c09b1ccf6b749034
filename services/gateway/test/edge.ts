import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSigningKeyDir,
  createTestDatabase,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
} from '@bonding/testing';
import { publicKeysFromDir, renderKongConfig } from '../src/declarative/render.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
export const gatewayDir = join(here, '..');
export const ADMIN = { email: 'edge.admin@bonding.test', password: 'edge-admin-password' };

export interface Edge {
  baseUrl: string;
  statusUrl: string;
  gateway: ServiceProcess;
  identity: ServiceProcess;
  keysDir: string;
  kid: string;
  stop(): Promise<void>;
}

/** Renders the real kong/kong.yml with this test's key, upstream ports and limits. */
export function renderForTest(options: {
  keysDir: string;
  upstreams: Record<string, string>;
  rateLimits?: Record<string, Record<string, number>>;
}): string {
  const template = readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8');
  const rendered = renderKongConfig(template, { keys: publicKeysFromDir(options.keysDir), ...options });
  const file = join(mkdtempSync(join(tmpdir(), 'bonding-kong-')), 'kong.yml');
  writeFileSync(file, rendered);
  return file;
}

/**
 * Starts a gateway process on a rendered config and waits for its status port. `ports` when they had to be
 * known before (producers deliver to the status port).
 */
export async function startGatewayProcess(
  configFile: string,
  env: Record<string, string> = {},
  timeoutMs?: number,
  ports?: { port: number; statusPort: number },
) {
  const port = ports?.port ?? (await freePort());
  const statusPort = ports?.statusPort ?? (await freePort());
  const gateway = await startServiceProcess({
    cwd: gatewayDir,
    port,
    env: { GATEWAY_CONFIG: configFile, STATUS_PORT: String(statusPort), ...env },
    readyUrl: `http://127.0.0.1:${statusPort}/status/ready`,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { gateway, statusUrl: `http://127.0.0.1:${statusPort}` };
}

/** Real processes: identity over a fresh database, and the gateway in front of it. */
export async function startEdge(
  options: {
    rateLimits?: Record<string, Record<string, number>>;
    /** Extra environment for the gateway (e.g. INTERNAL_SECRETS). */
    gatewayEnv?: Record<string, string>;
  } = {},
): Promise<Edge> {
  const database: TestDatabase = await createTestDatabase('gateway');
  const keys = createSigningKeyDir();
  const identity = await startServiceProcess({
    cwd: join(repoRoot, 'services', 'identity'),
    port: await freePort(),
    env: {
      MYSQL_URL: database.url,
      JWT_KEYS_DIR: keys.dir,
      MIGRATE_ON_START: 'true',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
  });
  const configFile = renderForTest({
    keysDir: keys.dir,
    upstreams: { identity: identity.baseUrl },
    rateLimits: options.rateLimits ?? {
      'limit-per-user': { second: 1000, minute: 60000 },
      'limit-per-address': { second: 1000, minute: 60000 },
      'limit-sign-in': { minute: 1000 },
    },
  });
  const { gateway, statusUrl } = await startGatewayProcess(configFile, options.gatewayEnv);
  return {
    baseUrl: gateway.baseUrl,
    statusUrl,
    gateway,
    identity,
    keysDir: keys.dir,
    kid: keys.kid,
    async stop() {
      await gateway.stop('SIGKILL');
      await identity.stop('SIGKILL');
      await database.drop();
    },
  };
}

export async function signIn(baseUrl: string, email = ADMIN.email, password = ADMIN.password) {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { accessToken: string; refreshToken: string };
}
