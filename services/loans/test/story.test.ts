import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
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
import { renderForTest, repoRoot, startGatewayProcess } from '../../gateway/test/edge.js';
import { bankBody, guardianBody, personalBody } from '../../students/test/harness.js';

/**
 * The whole story through the edge, with real processes: identity, students,
 * catalog, ledger, loans and the gateway enforcing kong/kong.yml, wired with
 * secrets and EVENT_SUBSCRIBERS as npm start wires them.
 */
const ADMIN = { email: 'story.admin@bonding.test', password: 'story-admin-password' };
const NAMES = ['identity', 'students', 'catalog', 'ledger', 'loans'] as const;
type Name = (typeof NAMES)[number];
const secret = () => randomBytes(24).toString('hex');
const SECRETS: Record<Name, string> = {
  identity: secret(),
  students: secret(),
  catalog: secret(),
  ledger: secret(),
  loans: secret(),
};

let databases: TestDatabase[] = [];
const processes: Partial<Record<Name | 'gateway', ServiceProcess>> = {};
const envOf: Partial<Record<Name, Record<string, string>>> = {};
const ports = {} as Record<Name, number>;
let edge: string;

const start = async (name: Name) => {
  processes[name] = await startServiceProcess({
    cwd: join(repoRoot, 'services', name),
    port: ports[name],
    env: envOf[name] ?? {},
    timeoutMs: 60_000,
  });
};

beforeAll(async () => {
  databases = await Promise.all(NAMES.map((name) => createTestDatabase(`story_${name}`)));
  for (const name of NAMES) ports[name] = await freePort();
  const url = (name: Name) => `http://127.0.0.1:${ports[name]}`;
  const keys = createSigningKeyDir();
  const jwks = `${url('identity')}/.well-known/jwks.json`;
  const common = (name: Name, index: number) => ({
    MYSQL_URL: (databases[index] as TestDatabase).url,
    MIGRATE_ON_START: 'true',
    INTERNAL_SECRETS: SECRETS[name],
    INTERNAL_PEER_SECRETS: NAMES.filter((other) => other !== name)
      .map((other) => `${other}=${SECRETS[other]}`)
      .join(';'),
    JWKS_URL: jwks,
    EVENT_POLL_INTERVAL_MS: '50',
    EVENT_RETRY_BASE_MS: '100',
    EVENT_RETRY_MAX_MS: '1000',
    LOG_LEVEL: 'warn',
  });
  envOf.identity = {
    ...common('identity', 0),
    JWT_KEYS_DIR: keys.dir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    EVENT_SUBSCRIBERS: `students=${url('students')}|user.registered,user.updated,user.disabled`,
  };
  envOf.students = {
    ...common('students', 1),
    FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  };
  envOf.catalog = common('catalog', 2);
  envOf.ledger = {
    ...common('ledger', 3),
    EVENT_SUBSCRIBERS: `loans=${url('loans')}|transfer.completed,disbursement.failed`,
  };
  envOf.loans = {
    ...common('loans', 4),
    EVENT_SUBSCRIBERS: `ledger=${url('ledger')}|loan.approved`,
    CATALOG_URL: url('catalog'),
    STUDENTS_URL: url('students'),
    LEDGER_URL: url('ledger'),
  };
  await start('identity');
  await Promise.all((['students', 'catalog', 'ledger', 'loans'] as const).map(start));
  const configFile = renderForTest({
    keysDir: keys.dir,
    upstreams: Object.fromEntries(NAMES.map((name) => [name, url(name)])),
    rateLimits: { 'limit-platform': { second: 1000, minute: 60000 }, 'limit-sign-in': { minute: 1000 } },
  });
  const { gateway } = await startGatewayProcess(configFile);
  processes.gateway = gateway;
  edge = gateway.baseUrl;
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(processes).map((p) => p?.stop('SIGKILL')));
  await Promise.all(databases.map((db) => db.drop()));
});

async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${edge}/api/v1${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as any) : undefined,
    text,
  };
}

/**
 * Proves the e-mail as a user would: the code identity sent (read from the event in its outbox, since no
 * mail service runs here) goes to POST /auth/verify-email. Loans and money need a verified e-mail.
 */
async function verifyEmail(userId: string): Promise<void> {
  const identityDb = createDatabase<any>({ url: (databases[0] as TestDatabase).url, poolSize: 1 });
  try {
    const event = await waitFor(
      () =>
        identityDb.db
          .selectFrom('outbox')
          .select('payload')
          .where('type', '=', 'user.emailVerificationRequested')
          .where('aggregate_key', '=', userId)
          .executeTakeFirst(),
      { what: 'the verification event' },
    );
    const { verificationCode } = JSON.parse(event.payload) as { verificationCode: string };
    expect((await api('POST', '/auth/verify-email', { body: { code: verificationCode } })).status).toBe(204);
  } finally {
    await identityDb.close();
  }
}

async function signIn(email: string, password: string): Promise<string> {
  const response = await api('POST', '/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${response.text}`);
  return response.json.accessToken;
}

async function register(role: 'student' | 'agent') {
  const tag = randomUUID().slice(0, 8);
  const email = `${role}.${tag}@example.test`;
  const password = 'a long passphrase';
  const response = await api('POST', '/auth/register', {
    body: {
      email,
      password,
      firstName: 'Chisomo',
      lastName: `Banda${tag}`,
      role,
      ...(role === 'student' ? { regNumber: `BT/2026/${tag}` } : {}),
    },
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  const id = (response.json.user?.id ?? response.json.id) as string;
  await verifyEmail(id);
  return { email, password, id };
}

/** A registered student whose bonding file is complete, signed in. */
async function completeStudent() {
  const student = await register('student');
  const token = await signIn(student.email, student.password);
  // The students service learns of the student from identity's event; wait until it has.
  await waitFor(
    async () => (await api('PUT', '/students/me/personal', { token, body: personalBody() })).status === 200,
    {
      timeoutMs: 15_000,
      what: 'the personal details to be filed',
    },
  );
  expect((await api('POST', '/students/me/guardians', { token, body: guardianBody() })).status).toBe(201);
  expect((await api('POST', '/students/me/bank-accounts', { token, body: bankBody() })).status).toBe(201);
  const me = await api('GET', '/auth/me', { token });
  return { ...student, id: me.json.id as string, token };
}

async function approvedAgent(adminToken: string) {
  const agent = await register('agent');
  const users = await api('GET', '/users?role=agent&status=pending&limit=100', { token: adminToken });
  const pending = (users.json.items as { id: string; email: string }[]).find((u) => u.email === agent.email);
  expect(pending).toBeDefined();
  expect((await api('POST', `/users/${pending?.id}/approve`, { token: adminToken, body: {} })).status).toBe(
    200,
  );
  return { id: pending?.id as string, token: await signIn(agent.email, agent.password) };
}

const waitForStatus = (id: string, token: string, status: string) =>
  waitFor(
    async () => {
      const loan = await api('GET', `/loans/${id}`, { token });
      return loan.json?.status === status ? loan.json : undefined;
    },
    { timeoutMs: 20_000, what: `the loan to be ${status}` },
  );

async function walletBalance(token: string): Promise<number | undefined> {
  const accounts = await api('GET', '/accounts', { token });
  return accounts.json?.items?.[0]?.balance;
}

describe('the loan story, through the edge', () => {
  let adminToken: string;
  let agent: { id: string; token: string };
  let productId: string;
  beforeAll(async () => {
    adminToken = await signIn(ADMIN.email, ADMIN.password);
    agent = await approvedAgent(adminToken);
    const product = await api('POST', '/products', {
      token: adminToken,
      body: {
        code: `STORY-${randomUUID().slice(0, 6).toUpperCase()}`,
        name: 'Story tuition',
        category: 'tuition',
        minPrincipal: 10_000,
        maxPrincipal: 100_000_000,
        annualRateBps: 0,
        minTermMonths: 1,
        maxTermMonths: 24,
      },
    });
    expect(product.status, product.text).toBe(201);
    productId = product.json.id;
  }, 60_000);

  const raise = async (studentId: string) => {
    const response = await api('POST', '/loans', {
      token: agent.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        productId,
        principal: 1_500_000,
        termMonths: 6,
        purpose: 'Tuition',
        academicYear: '2026/2027',
        studentId,
      },
    });
    expect(response.status, response.text).toBe(201);
    return response.json as { id: string };
  };

  it('goes from application to disbursement to REPAID', async () => {
    const student = await completeStudent();
    const loan = await raise(student.id);
    expect((await api('GET', `/loans/${loan.id}`)).status).toBe(401);
    const approved = await api('POST', `/loans/${loan.id}/approve`, { token: adminToken, body: {} });
    expect(approved.status, approved.text).toBe(200);
    await waitForStatus(loan.id, student.token, 'DISBURSED');
    expect(await walletBalance(student.token)).toBe(1_500_000);
    for (const amount of [600_000, 900_000]) {
      const paid = await api('POST', `/loans/${loan.id}/repayments`, {
        token: student.token,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { amount },
      });
      expect(paid.status, paid.text).toBe(201);
    }
    const repaid = await api('GET', `/loans/${loan.id}`, { token: student.token });
    expect(repaid.json).toMatchObject({ status: 'REPAID', outstanding: 0 });
    expect(await walletBalance(student.token)).toBe(0);
  });

  it('fails the disbursement into a frozen wallet, and disburses once after unfreeze and retry', async () => {
    const student = await completeStudent();
    const wallet = await api('POST', '/accounts', { token: student.token, body: { currency: 'MWK' } });
    expect(wallet.status, wallet.text).toBe(201);
    const frozen = await api('POST', `/accounts/${wallet.json.id}/freeze`, {
      token: adminToken,
      headers: { 'If-Match': wallet.headers.get('ETag') ?? '' },
    });
    expect(frozen.status, frozen.text).toBe(200);
    const loan = await raise(student.id);
    expect((await api('POST', `/loans/${loan.id}/approve`, { token: adminToken, body: {} })).status).toBe(
      200,
    );
    const failed = await waitForStatus(loan.id, adminToken, 'DISBURSEMENT_FAILED');
    expect(failed.failureReason).toBe('account_frozen');
    const unfrozen = await api('POST', `/accounts/${wallet.json.id}/unfreeze`, {
      token: adminToken,
      headers: { 'If-Match': frozen.headers.get('ETag') ?? '' },
    });
    expect(unfrozen.status, unfrozen.text).toBe(200);
    const retried = await api('POST', `/loans/${loan.id}/retry-disbursement`, {
      token: adminToken,
      body: {},
    });
    expect(retried.status, retried.text).toBe(200);
    await waitForStatus(loan.id, adminToken, 'DISBURSED');
    expect(await walletBalance(student.token)).toBe(1_500_000);
  });

  it('disburses exactly once an approval made while the ledger was down, once it is back', async () => {
    const student = await completeStudent();
    const loan = await raise(student.id);
    await processes.ledger?.stop('SIGTERM');
    try {
      expect((await api('POST', `/loans/${loan.id}/approve`, { token: adminToken, body: {} })).status).toBe(
        200,
      );
      expect((await api('GET', `/loans/${loan.id}`, { token: adminToken })).json.status).toBe('APPROVED');
    } finally {
      await start('ledger');
    }
    await waitForStatus(loan.id, adminToken, 'DISBURSED');
    const transfers = await api('GET', `/transfers?userId=${student.id}&kind=disbursement`, {
      token: adminToken,
    });
    expect(transfers.json.items).toHaveLength(1);
    expect(await walletBalance(student.token)).toBe(1_500_000);
  });
});
