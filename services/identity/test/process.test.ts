import { spawnSync } from 'node:child_process';
import {
  createSigningKeyDir,
  type ServiceOnDatabase,
  serviceDir,
  startServiceOnTestDatabase,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueUser } from './harness.js';

const admin = { email: 'process.admin@bonding.test', password: 'process-admin-pw' };

let identity: ServiceOnDatabase;
let service: ServiceOnDatabase['service'];
beforeAll(async () => {
  identity = await startServiceOnTestDatabase('identity', {
    JWT_KEYS_DIR: createSigningKeyDir().dir,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: 'info',
  });
  service = identity.service;
});
afterAll(() => identity?.close());

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json: any = response.status === 204 ? undefined : await response.json();
  return { status: response.status, json };
}

// Before 'the identity process', whose last test stops it.
describe('bodiless POSTs over real HTTP', () => {
  it('are not mistaken for non-JSON bodies', async () => {
    // Like `curl -X POST` with no data: no Content-Type, no Content-Length.
    const response = await fetch(`${service.baseUrl}/api/v1/auth/logout`, { method: 'POST' });
    expect(response.status).toBe(401);
    const form = await fetch(`${service.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'email=x',
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { code: string }).code).toBe('unsupported_content_type');
  });
});

describe('the identity process', () => {
  it('serves register → login → me → refresh → logout over real HTTP', async () => {
    const who = uniqueUser('proc');
    const registered = await post('/api/v1/auth/register', {
      email: who.email,
      password: PASSWORD,
      firstName: 'Kondwani',
      lastName: 'Gondwe',
      role: 'student',
      regNumber: who.regNumber,
    });
    expect(registered.status).toBe(201);
    const login = await post('/api/v1/auth/login', { email: who.email, password: PASSWORD });
    expect(login.status).toBe(200);
    const me = await fetch(`${service.baseUrl}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${login.json.accessToken}`, 'X-Request-ID': 'proc-test-me' },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toBe('proc-test-me');
    const refreshed = await post('/api/v1/auth/refresh', { refreshToken: login.json.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await post('/api/v1/auth/logout', {}, refreshed.json.accessToken)).status).toBe(204);
    expect((await post('/api/v1/auth/refresh', { refreshToken: refreshed.json.refreshToken })).status).toBe(
      401,
    );

    const logLine = await service.waitForLine('"proc-test-me"');
    expect(JSON.parse(logLine)).toMatchObject({
      route: '/api/v1/auth/me',
      status: 200,
      method: 'GET',
    });
    expect(service.output()).not.toContain(login.json.accessToken);
    expect(service.output()).not.toContain(PASSWORD);
  });

  it('created the first admin from ADMIN_EMAIL and ADMIN_PASSWORD', async () => {
    const login = await post('/api/v1/auth/login', admin);
    expect(login.status).toBe(200);
  });

  it('exits 0 on SIGTERM after shutting down cleanly', async () => {
    const code = await service.stop('SIGTERM');
    expect(code).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });
});

describe('configuration errors', () => {
  it('stop the service with one line naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serviceDir('identity'),
      env: { ...process.env, MYSQL_URL: 'not a url', JWT_KEYS_DIR: '/nonexistent', PORT: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^invalid configuration: MYSQL_URL: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
