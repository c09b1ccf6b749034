// Every dashboard panel query against a real Prometheus (the OS package's binary, which npm test installs
// with promtool) scraping real processes: identity over a fresh database and the local gateway in front of
// it. The test drives traffic through the edge — sign-ins that succeed and fail (401), a registration, an
// unknown route (404), sign-ins past the limit (429) and, once identity is stopped, a 5xx from the edge —
// then runs each panel query, variables substituted, through the HTTP API. Panels that cannot have data in
// this setup are listed below with the reason; for them, dashboards.test.ts checks the metric names.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../packages/testing/src/index.js';
import { type Edge, signIn, startEdge } from '../../services/gateway/test/edge.js';
import { PASSWORD, uniqueUser } from '../../services/identity/test/harness.js';
import { readDashboards, substitute } from './dashboards.js';

/** Panels without local data, by "dashboard / panel" title, and why. */
const NO_LOCAL_DATA: Record<string, string> = {
  'Bonding Platform — overview / 5xx ratio by service': 'no service answers 5xx in a healthy local run',
  'Bonding Platform — overview / 5xx by service and status': 'no service answers 5xx in a healthy local run',
  'Bonding Platform — overview / Outbox backlog by subscriber': 'only the identity service runs here',
  'Bonding Platform — overview / Oldest pending delivery': 'only the identity service runs here',
  'Bonding Platform — overview / Delivery attempts by result': 'only the identity service runs here',
  'Bonding Platform — overview / Delivery failures by kind': 'only the identity service runs here',
  'Bonding Platform — overview / Dead letters': 'only the identity service runs here',
  'Bonding Platform — overview / Inbox events by result': 'only the identity service runs here',
  'Bonding Platform — overview / Mail outbox': 'notifications does not run here',
  'Bonding Platform — overview / Mails sent and failed': 'notifications does not run here',
  'Bonding Platform — money / Transfers per second by kind and result': 'ledger does not run here',
  'Bonding Platform — money / Refused transfers by rule': 'ledger does not run here',
  'Bonding Platform — money / Money moved per hour by currency and kind (minor units)':
    'ledger does not run here',
  'Bonding Platform — money / Transfer lock retries': 'ledger does not run here',
  'Bonding Platform — money / Idempotent requests by outcome': 'no idempotent route is called here',
  'Bonding Platform — money / Imbalance by currency (minor units; must be 0)': 'ledger does not run here',
  'Bonding Platform — money / Accounts not matching their entries (must be 0)': 'ledger does not run here',
  'Bonding Platform — money / Since the last reconciliation': 'ledger does not run here',
  'Bonding Platform — edge (Kong) / Connections (Kong only)': "Kong's nginx counters (recorded name)",
  'Bonding Platform — runtime / Container restarts in the last hour (kube-state-metrics)':
    'kube-state-metrics (recorded name)',
};

function findPrometheus(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin'].filter(Boolean);
  return dirs.map((dir) => join(dir, 'prometheus')).find((file) => existsSync(file));
}

// npm test sets PROMTOOL after installing the prometheus package: then the binary must be there too.
const prometheusBin = process.env.PROMTOOL ? findPrometheus() : undefined;
if (process.env.PROMTOOL && !prometheusBin)
  throw new Error('PROMTOOL is set but no prometheus binary is on PATH');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!prometheusBin)('dashboards against a real Prometheus', () => {
  let edge: Edge;
  let prometheus: ChildProcess;
  let promUrl: string;
  let work: string;
  let output = '';
  /** Evaluation time (s) while identity still ran; its series go stale once it is stopped. */
  let whileUp = 0;

  async function query(expr: string, time?: number): Promise<unknown[]> {
    const at = time === undefined ? '' : `&time=${time}`;
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  }

  async function waitFor(expr: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await query(expr)).length === 0) {
      if (Date.now() > deadline) throw new Error(`no data for ${expr} within ${timeoutMs} ms:\n${output}`);
      await sleep(250);
    }
  }

  beforeAll(async () => {
    edge = await startEdge({
      rateLimits: { 'limit-platform': { second: 1000, minute: 60000 }, 'limit-sign-in': { minute: 6 } },
    });
    work = mkdtempSync(join(tmpdir(), 'bonding-prometheus-'));
    const target = (url: string) => new URL(url).host;
    writeFileSync(
      join(work, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          {
            job_name: 'bonding-identity',
            honor_labels: true,
            static_configs: [{ targets: [target(edge.identity.baseUrl)], labels: { namespace: 'bonding' } }],
          },
          {
            job_name: 'kong',
            honor_labels: true,
            static_configs: [{ targets: [target(edge.statusUrl)], labels: { namespace: 'bonding' } }],
          },
        ],
      }),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBin as string,
      [
        `--config.file=${join(work, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(work, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    prometheus.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = await fetch(`${promUrl}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline || prometheus.exitCode !== null) throw new Error(`prometheus:\n${output}`);
      await sleep(100);
    }

    // Traffic through the edge.
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${edge.baseUrl}${path}`, {
        ...init,
        headers: { 'Content-Type': 'application/json', ...init.headers },
      }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
    const login = (email: string, password: string) =>
      api('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
    const { accessToken } = await signIn(edge.baseUrl);
    const student = uniqueUser('live');
    expect(
      await api('/api/v1/auth/register', {
        method: 'POST',
        body: JSON.stringify({
          ...student,
          password: PASSWORD,
          firstName: 'Chisomo',
          lastName: 'Banda',
          role: 'student',
        }),
      }),
    ).toBe(201);
    expect(await api('/api/v1/auth/me', { headers: { Authorization: `Bearer ${accessToken}` } })).toBe(200);
    expect(await api('/api/v1/auth/me')).toBe(401);
    expect(await login(student.email, 'not-the-password')).toBe(401);
    expect(
      await api('/api/v1/auth/no-such-route', { headers: { Authorization: `Bearer ${accessToken}` } }),
    ).toBe(404);
    let limited = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      if ((await login(student.email, PASSWORD)) === 429) limited += 1;
    }
    expect(limited).toBeGreaterThan(0);
    await waitFor('kong_http_requests_total{code="429"}');
    await sleep(2_000); // two more scrapes, so every rate() has two samples
    whileUp = Date.now() / 1000;
    // A 5xx from the edge: the upstream is gone.
    await edge.identity.stop('SIGKILL');
    expect(
      await api('/api/v1/auth/me', { headers: { Authorization: `Bearer ${accessToken}` } }),
    ).toBeGreaterThanOrEqual(500);
    await waitFor('kong_http_requests_total{code=~"5.."}');
    await sleep(2_000); // two more scrapes, so every rate() has two samples
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('returns data for every panel query, except the listed ones', async () => {
    const empty: string[] = [];
    const seen: string[] = [];
    for (const { dashboard } of readDashboards()) {
      for (const panel of dashboard.panels) {
        if (panel.type === 'row') continue;
        const title = `${dashboard.title} / ${panel.title}`;
        seen.push(title);
        for (const target of panel.targets ?? []) {
          const expr = substitute(target.expr);
          if ((await query(expr, whileUp)).length === 0 && (await query(expr)).length === 0) {
            empty.push(title);
            break;
          }
        }
      }
    }
    expect(empty.sort()).toEqual(Object.keys(NO_LOCAL_DATA).sort());
    expect(seen.length - empty.length).toBeGreaterThan(20);
  }, 30_000);
});
