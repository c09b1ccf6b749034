import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Real identity and students processes: the directory is built from identity's events alone. */
const studentsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const identityDir = join(studentsDir, '..', 'identity');
const SECRET = 'students-secret-for-the-directory-test-0123456789';
const admin = { email: 'directory.admin@bonding.test', password: 'directory-admin-password' };

let databases: TestDatabase[];
let identity: ServiceProcess;
let students: ServiceProcess;
beforeAll(async () => {
  databases = await Promise.all([createTestDatabase('dir_identity'), createTestDatabase('dir_students')]);
  const studentsPort = await freePort();
  identity = await startServiceProcess({
    cwd: identityDir,
    port: await freePort(),
    env: {
      MYSQL_URL: (databases[0] as TestDatabase).url,
      JWT_KEYS_DIR: createSigningKeyDir().dir,
      MIGRATE_ON_START: 'true',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      EVENT_SUBSCRIBERS: `students=http://127.0.0.1:${studentsPort}|user.registered,user.updated,user.disabled`,
      INTERNAL_PEER_SECRETS: `students=${SECRET}`,
      EVENT_POLL_INTERVAL_MS: '50',
    },
  });
  students = await startServiceProcess({
    cwd: studentsDir,
    port: studentsPort,
    env: {
      MYSQL_URL: (databases[1] as TestDatabase).url,
      MIGRATE_ON_START: 'true',
      INTERNAL_SECRETS: SECRET,
      JWKS_URL: `${identity.baseUrl}/.well-known/jwks.json`,
      FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
    },
  });
});
afterAll(async () => {
  await Promise.all([identity?.stop('SIGKILL'), students?.stop('SIGKILL')]);
  await Promise.all((databases ?? []).map((db) => db.drop()));
});

async function post(base: string, path: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => undefined)) as any };
}

describe('the student directory', () => {
  it("learns of registered students from identity's events, and not of agents", async () => {
    const tag = Date.now().toString(36);
    // The agent registers first, so its event is delivered before the student's is seen.
    const agent = await post(identity.baseUrl, '/api/v1/auth/register', {
      email: `agent.${tag}@example.test`,
      password: 'a-good-long-password',
      firstName: 'Yamikani',
      lastName: `Mvula${tag}`,
      role: 'agent',
    });
    expect(agent.status).toBe(201);
    const student = await post(identity.baseUrl, '/api/v1/auth/register', {
      email: `dir.${tag}@example.test`,
      password: 'a-good-long-password',
      firstName: 'Thandiwe',
      lastName: `Mvula${tag}`,
      role: 'student',
      regNumber: `DIR/${tag}`,
    });
    expect(student.status).toBe(201);

    const { accessToken } = (await post(identity.baseUrl, '/api/v1/auth/login', admin)).json;
    const search = async () => {
      const response = await fetch(`${students.baseUrl}/api/v1/students?q=Mvula${tag}`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      return ((await response.json()) as { items: { studentId: string; regNumber: string | null }[] }).items;
    };
    const found = await waitFor(
      async () => {
        const items = await search();
        return items.length > 0 ? items : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(found).toEqual([expect.objectContaining({ studentId: student.json.id, regNumber: `DIR/${tag}` })]);

    // A staff read of the file works from the directory alone, before the student filed anything.
    const file = await fetch(`${students.baseUrl}/api/v1/students/${student.json.id}`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(file.status).toBe(200);
    expect(((await file.json()) as { completeness: { complete: boolean } }).completeness.complete).toBe(
      false,
    );
  });
});
