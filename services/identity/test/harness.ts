import { randomBytes } from 'node:crypto';
import { createLogger, parseConfig, runMigrations } from '@bonding/kit';
import { collectLogLines, createApiClient, createSigningKeyDir, createTestDatabase } from '@bonding/testing';
import { createIdentityApp } from '../src/app.js';
import { buildIdentityDeps } from '../src/build-deps.js';
import { identityConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { ensureFirstAdmin } from '../src/first-admin.js';

export const ADMIN = { email: 'root.admin@bonding.test', password: 'admin-password-1' };
export const PASSWORD = 'a-good-long-password';

let sequence = 0;
/** A unique e-mail and registration number per call, so tests never collide. */
export function uniqueUser(prefix = 'user') {
  sequence += 1;
  const tag = `${Date.now().toString(36)}${sequence}`;
  return { email: `${prefix}.${tag}@example.test`, regNumber: `REG-${tag}` };
}

export type IdentityHarness = Awaited<ReturnType<typeof createIdentityHarness>>;

/**
 * A real identity app over a fresh MariaDB database, driven with app.request().
 * The clock can be moved forward to test expiry and lockouts.
 */
export async function createIdentityHarness(env: Record<string, string> = {}) {
  const database = await createTestDatabase('identity');
  const keys = createSigningKeyDir();
  const config = parseConfig(identityConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: database.url,
    JWT_KEYS_DIR: keys.dir,
    FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ...env,
  });
  const { destination, lines: logLines } = collectLogLines();
  const logger = createLogger({ service: 'identity', level: 'info', destination });
  const clock = { offsetMs: 0 };
  const now = () => new Date(Date.now() + clock.offsetMs);
  const built = await buildIdentityDeps(config, { logger, now });
  await runMigrations(built.deps.db, database.name, migrations);
  await ensureFirstAdmin(built.deps.db, ADMIN.email, ADMIN.password, now());
  const { app } = createIdentityApp(built.deps);

  const call = createApiClient((path, init) => app.request(path, init));

  async function login(email: string, password: string) {
    const response = await call('POST', '/api/v1/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
    return response.json as { accessToken: string; refreshToken: string };
  }

  async function registerStudent() {
    const who = uniqueUser('student');
    const response = await call('POST', '/api/v1/auth/register', {
      body: {
        email: who.email,
        password: PASSWORD,
        firstName: 'Chikondi',
        lastName: 'Phiri',
        role: 'student',
        regNumber: who.regNumber,
      },
    });
    if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
    return { id: response.json.id as string, email: who.email, ...(await login(who.email, PASSWORD)) };
  }

  async function registerAgent({ approve = true } = {}) {
    const who = uniqueUser('agent');
    const response = await call('POST', '/api/v1/auth/register', {
      body: { email: who.email, password: PASSWORD, firstName: 'Mphatso', lastName: 'Banda', role: 'agent' },
    });
    if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
    const id = response.json.id as string;
    if (!approve) return { id, email: who.email, accessToken: '', refreshToken: '' };
    const admin = await login(ADMIN.email, ADMIN.password);
    await call('POST', `/api/v1/users/${id}/approve`, { token: admin.accessToken });
    return { id, email: who.email, ...(await login(who.email, PASSWORD)) };
  }

  /** The events identity queued about a user (type and payload), oldest first. */
  async function eventsOf(userId: string, type?: string) {
    let query = built.deps.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_key', '=', userId)
      .orderBy('seq');
    if (type) query = query.where('type', '=', type);
    const rows = await query.execute();
    return rows.map((row) => ({ type: row.type, data: JSON.parse(row.payload) as Record<string, unknown> }));
  }

  async function auditActionsOf(userId: string): Promise<string[]> {
    const rows = await built.deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.action);
  }

  return {
    app,
    eventsOf,
    auditActionsOf,
    deps: built.deps,
    config,
    database,
    keys,
    clock,
    logLines,
    call,
    login,
    registerStudent,
    registerAgent,
    adminLogin: () => login(ADMIN.email, ADMIN.password),
    async close() {
      await built.close();
      await database.drop();
    },
  };
}
