import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@bonding/kit';
import {
  createSigningKeyDir,
  createTestDatabase,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
  waitFor,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueUser } from './harness.js';

/**
 * Two real services: identity produces its events; the kit's test consumer
 * (packages/kit/test/fixtures/event-consumer), run as two replicas over one
 * database, keeps a user directory and refuses revoked tokens.
 */
const identityDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const consumerDir = join(identityDir, '..', '..', 'packages', 'kit', 'test', 'fixtures', 'event-consumer');
const CONSUMER_SECRET = 'consumer-secret-for-the-identity-events-test';
const admin = { email: 'events.admin@bonding.test', password: 'events-admin-password' };

let identityDb: TestDatabase;
let consumerDb: TestDatabase;
let identity: ServiceProcess;
let replicaA: ServiceProcess;
let replicaB: ServiceProcess;
let replicaAPort: number;
let consumerEnv: Record<string, string>;
let collector: Server;
let directory: ReturnType<typeof createDatabase<any>>;

beforeAll(async () => {
  [identityDb, consumerDb] = await Promise.all([
    createTestDatabase('identity_events'),
    createTestDatabase('identity_events_consumer'),
  ]);
  // Tracing is on in identity, so the trace context of a request can be followed into the consumer.
  collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  replicaAPort = await freePort();
  const identityPort = await freePort();
  identity = await startServiceProcess({
    cwd: identityDir,
    port: identityPort,
    env: {
      MYSQL_URL: identityDb.url,
      JWT_KEYS_DIR: createSigningKeyDir().dir,
      MIGRATE_ON_START: 'true',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // Only replica A is addressed; B must learn of revocations through the shared table.
      EVENT_SUBSCRIBERS: `consumer=http://127.0.0.1:${replicaAPort}|user.*`,
      INTERNAL_PEER_SECRETS: `consumer=${CONSUMER_SECRET}`,
      EVENT_POLL_INTERVAL_MS: '50',
      EVENT_RETRY_BASE_MS: '50',
      EVENT_RETRY_MAX_MS: '500',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as { port: number }).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_SERVICE_NAME: 'identity',
    },
  });
  consumerEnv = {
    MYSQL_URL: consumerDb.url,
    MIGRATE_ON_START: 'true',
    INTERNAL_SECRETS: CONSUMER_SECRET,
    JWKS_URL: `${identity.baseUrl}/.well-known/jwks.json`,
    REVOCATION_SYNC_INTERVAL_MS: '250',
    LOG_LEVEL: 'warn',
  };
  const replicaBPort = await freePort();
  [replicaA, replicaB] = await Promise.all([
    startServiceProcess({ cwd: consumerDir, port: replicaAPort, env: consumerEnv }),
    startServiceProcess({ cwd: consumerDir, port: replicaBPort, env: consumerEnv }),
  ]);
  directory = createDatabase<any>({ url: consumerDb.url, poolSize: 2 });
});
afterAll(async () => {
  await Promise.all([identity?.stop('SIGKILL'), replicaA?.stop('SIGKILL'), replicaB?.stop('SIGKILL')]);
  collector?.close();
  await directory?.close();
  await Promise.all([identityDb?.drop(), consumerDb?.drop()]);
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${identity.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

async function whoami(replica: ServiceProcess, token: string) {
  const response = await fetch(`${replica.baseUrl}/api/v1/whoami`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, json: (await response.json()) as any };
}

async function registerStudent(headers: Record<string, string> = {}) {
  const who = uniqueUser('revoked');
  const registered = await post(
    '/api/v1/auth/register',
    {
      email: who.email,
      password: PASSWORD,
      firstName: 'Tadala',
      lastName: 'Chirwa',
      role: 'student',
      regNumber: who.regNumber,
    },
    headers,
  );
  expect(registered.status).toBe(201);
  const login = await post('/api/v1/auth/login', { email: who.email, password: PASSWORD });
  return { ...who, id: registered.json.id as string, token: login.json.accessToken as string };
}

describe('identity events reach another service', () => {
  it('fills its directory with the fields it needs, continuing the trace of the request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const student = await registerStudent({
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
    const entry = await waitFor(
      () =>
        directory.db.selectFrom('directory').selectAll().where('user_id', '=', student.id).executeTakeFirst(),
      { what: "the student's directory entry" },
    );
    expect(entry).toEqual({
      user_id: student.id,
      email: student.email,
      first_name: 'Tadala',
      last_name: 'Chirwa',
      role: 'student',
      status: 'active',
      reg_number: student.regNumber,
    });
    // The fixture records the arrival as it answers: under load that can land just after the effect.
    const arrival = await waitFor(
      () =>
        directory.db
          .selectFrom('arrivals as a')
          .innerJoin('inbox as i', 'i.event_id', 'a.event_id')
          .select('a.traceparent')
          .where('i.type', '=', 'user.registered')
          .where('a.status', '=', 200)
          .where(({ exists, selectFrom }) =>
            exists(
              selectFrom('effects as e')
                .select('e.id')
                .whereRef('e.event_id', '=', 'a.event_id')
                .where('e.user_id', '=', student.id),
            ),
          )
          .executeTakeFirst(),
      { what: "the user.registered delivery's arrival record" },
    );
    expect(arrival.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it("refuses a disabled user's unexpired token in every replica within seconds, and after a restart", async () => {
    const student = await registerStudent();
    const adminLogin = await post('/api/v1/auth/login', admin);
    // Both replicas accept the token (B via the JWKS it fetched from identity).
    expect(await whoami(replicaA, student.token)).toMatchObject({
      status: 200,
      json: { userId: student.id },
    });
    expect(await whoami(replicaB, student.token)).toMatchObject({
      status: 200,
      json: { userId: student.id },
    });

    const disabledAt = Date.now();
    const disabled = await post(
      `/api/v1/users/${student.id}/disable`,
      {},
      {
        Authorization: `Bearer ${adminLogin.json.accessToken}`,
      },
    );
    expect(disabled.status).toBe(200);

    for (const replica of [replicaA, replicaB]) {
      const refused = await waitFor(
        async () => {
          const answer = await whoami(replica, student.token);
          return answer.status === 401 ? answer : undefined;
        },
        { timeoutMs: 10_000, what: 'the token to be refused' },
      );
      expect(refused.json.code).toBe('token_revoked');
    }
    // "Within seconds": the token would otherwise stay good for 15 minutes.
    expect(Date.now() - disabledAt).toBeLessThan(5_000);

    // A restarted replica has not forgotten.
    await replicaA.stop('SIGTERM');
    replicaA = await startServiceProcess({ cwd: consumerDir, port: replicaAPort, env: consumerEnv });
    expect((await whoami(replicaA, student.token)).json.code).toBe('token_revoked');

    // The directory followed the status change too.
    await waitFor(
      async () =>
        (
          await directory.db
            .selectFrom('directory')
            .select('status')
            .where('user_id', '=', student.id)
            .executeTakeFirst()
        )?.status === 'disabled',
      { what: 'the directory to show the user disabled' },
    );
  });

  it('keeps tokens of other users working', async () => {
    const other = await registerStudent();
    expect((await whoami(replicaA, other.token)).status).toBe(200);
    expect((await whoami(replicaB, other.token)).status).toBe(200);
  });

  it('stops identity cleanly with its relay running', async () => {
    expect(await identity.stop('SIGTERM')).toBe(0);
    expect(identity.output()).toContain('"msg":"stopped"');
  });
});
