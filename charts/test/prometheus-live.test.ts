// Every dashboard panel query against a real Prometheus (the OS package's binary, which npm test installs
// with promtool) scraping real processes: the whole platform (tests/platform) behind the local gateway, its
// e-mail going to a local SMTP sink, scraped as the chart's ServiceMonitors scrape it
// (scripts/lib/prometheus-config.ts). The test drives a loan story through the edge — an agent raises a
// loan, an admin approves it, the ledger disburses it and the student repays it to REPAID; another loan is
// rejected; a withdrawal is refused; the ledger is reconciled; a business date is closed over two
// daily-interest loans — then stops students and registers a user
// whose user.registered waits in students' durables (and whose e-mail the sink refuses), gives notifications
// a dead letter with an event parked behind it (written straight into its inbox_dead_letters), then the
// edge's own answers: sign-ins that fail (401), an unknown route (404), sign-ins past the limit (429) and,
// once identity is stopped, a 5xx. It then runs each panel query, variables substituted, through the HTTP
// API at the moments those states held. Panels that cannot have data in this setup are listed below with
// the reason; for them, dashboards.test.ts checks the metric names.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type InboxDeadLetterTables } from '../../packages/kit/src/index.js';
import { freePort } from '../../packages/testing/src/index.js';
import { prometheusArgs, prometheusConfig } from '../../scripts/lib/prometheus-config.js';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import { nextDate } from '../../services/loans/src/lending/business-date.js';
import { insertDailyLoan } from '../../services/loans/test/daily-loan.js';
import { type MailSink, startMailSink } from '../../services/notifications/src/dev/mail-sink.js';
import {
  approvedAgent,
  completeStudent,
  createProduct,
  raiseLoan,
  signIn,
  signInAdmin,
  waitForLoanStatus,
} from '../../tests/platform/journeys.js';
import {
  PLATFORM_ADMIN,
  PLATFORM_SERVICES,
  type Platform,
  startPlatform,
} from '../../tests/platform/platform.js';
import { readDashboards, substitute } from './dashboards.js';

/** Panels without local data, by "dashboard / panel" title, and why. */
const NO_LOCAL_DATA: Record<string, string> = {
  'Bonding Platform — overview / 5xx ratio by service': 'no service answers 5xx in a healthy local run',
  'Bonding Platform — overview / 5xx by service and status': 'no service answers 5xx in a healthy local run',
  'Bonding Platform — edge (Kong) / Connections (Kong only)': "Kong's nginx counters (recorded name)",
  'Bonding Platform — runtime / Container restarts in the last hour (kube-state-metrics)':
    'kube-state-metrics (recorded name)',
  'Bonding Platform — overview / Pending events per durable (NATS)':
    'prometheus-nats-exporter (recorded name)',
  'Bonding Platform — overview / Redelivered events per durable (NATS)':
    'prometheus-nats-exporter (recorded name)',
  'Bonding Platform — overview / Handler failures by type': 'no handler fails in a healthy local run',
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
  let platform: Platform;
  let mailSink: MailSink;
  let prometheus: ChildProcess;
  let promUrl: string;
  let work: string;
  let output = '';
  /**
   * Evaluation times (s) besides now: while events for the stopped students service were pending, and
   * while identity still ran (its series go stale once it is stopped).
   */
  const moments: number[] = [];
  const settle = async () => {
    await sleep(2_000); // two more scrapes, so every rate() has two samples
    moments.push(Date.now() / 1000);
  };

  async function query(expr: string, time?: number): Promise<unknown[]> {
    const at = time === undefined ? '' : `&time=${time}`;
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  }

  // Generous: on a loaded 2-core CI machine a scrape can miss a round or two (seen once with 20 s).
  async function waitFor(expr: string, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await query(expr)).length === 0) {
      if (Date.now() > deadline) throw new Error(`no data for ${expr} within ${timeoutMs} ms:\n${output}`);
      await sleep(250);
    }
  }

  async function startPrometheus(): Promise<void> {
    work = mkdtempSync(join(tmpdir(), 'bonding-prometheus-'));
    const configFile = join(work, 'prometheus.yml');
    const targets = PLATFORM_SERVICES.map((name) => ({ name, url: platform.url(name) }));
    writeFileSync(
      configFile,
      prometheusConfig([...targets, { name: 'kong', url: platform.statusUrl }], { scrapeInterval: '1s' }),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBin as string,
      prometheusArgs({ configFile, dataDir: join(work, 'data'), listen: `127.0.0.1:${port}` }),
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
  }

  /** Application -> approval -> disbursement -> REPAID, a rejected loan, a refused withdrawal, a reconciliation. */
  async function loanStory(): Promise<void> {
    const adminToken = await signInAdmin(platform);
    const agent = await approvedAgent(platform, adminToken);
    const productId = await createProduct(platform, adminToken);
    const student = await completeStudent(platform);
    const raise = async () => {
      const raised = await raiseLoan(platform, agent.token, { productId, studentId: student.id });
      expect(raised.status, raised.text).toBe(201);
      return raised.json.id as string;
    };
    const loanId = await raise();
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: adminToken, body: {} });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loanId, student.token, 'DISBURSED');
    for (const amount of [600_000, 900_000]) {
      const paid = await platform.api('POST', `/loans/${loanId}/repayments`, {
        token: student.token,
        key: randomUUID(),
        body: { amount },
      });
      expect(paid.status, paid.text).toBe(201);
    }
    await waitForLoanStatus(platform, loanId, student.token, 'REPAID');
    const rejected = await platform.api('POST', `/loans/${await raise()}/reject`, {
      token: adminToken,
      body: { reason: 'Outside this intake' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    // The wallet is empty again: taking money out of it is refused by a ledger rule.
    const [wallet] = (await platform.api('GET', '/accounts', { token: student.token })).json.items;
    const refused = await platform.api('POST', '/withdrawals', {
      token: student.token,
      key: randomUUID(),
      body: { accountId: wallet.id, amount: 1, currency: 'MWK' },
    });
    expect(refused.status, refused.text).toBe(422);
    const reconciled = await platform.api('GET', '/ledger/reconciliation', { token: adminToken });
    expect(reconciled.status, reconciled.text).toBe(200);
    await closeOfBusiness(adminToken);
  }

  /** The next business date closed over two daily-interest loans (written straight into loans' tables). */
  async function closeOfBusiness(adminToken: string): Promise<void> {
    const today = await platform.api('GET', '/lending/business-date', { token: adminToken });
    expect(today.status, today.text).toBe(200);
    const from = today.json.businessDate as string;
    const loans = createDatabase<LoansDatabase>({ url: platform.databaseUrl('loans'), poolSize: 1 });
    try {
      for (const principal of ['1000000', '2500000']) {
        await insertDailyLoan(loans.db, {
          principal,
          principal_outstanding: principal,
          disbursed_on: from,
          study_end_date: '2099-06-30',
        });
      }
    } finally {
      await loans.close();
    }
    const moved = await platform.api('POST', '/lending/business-date', {
      token: adminToken,
      body: { businessDate: nextDate(from) },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.closed).toEqual([expect.objectContaining({ loansProcessed: 2, failures: 0 })]);
  }

  /**
   * A dead letter in notifications' inbox and an event of the same aggregate parked behind it, written
   * straight into its tables (a handler failing EVENT_MAX_ATTEMPTS times takes minutes): the consumer's
   * inbox_dead_letters gauge reads them from there.
   */
  async function deadLetter(): Promise<void> {
    const notifications = createDatabase<InboxDeadLetterTables>({
      url: platform.databaseUrl('notifications'),
      poolSize: 1,
    });
    try {
      const aggregate = randomUUID();
      const letter = (status: 'dead' | 'parked', seq: string) => {
        const eventId = randomUUID();
        return {
          consumer: 'notifications',
          event_id: eventId,
          source: 'loans',
          type: 'loan.approved',
          version: 1,
          aggregate_key: aggregate,
          status,
          stream_seq: seq,
          deliveries: status === 'dead' ? 20 : 0,
          reason: status === 'dead' ? 'gave up after 20 attempts (prometheus-live test)' : null,
          envelope: JSON.stringify({ id: eventId, type: 'loan.approved', version: 1, source: 'loans' }),
          created_at: new Date(),
          updated_at: new Date(),
        };
      };
      await notifications.db
        .insertInto('inbox_dead_letters')
        .values([letter('dead', '900000001'), letter('parked', '900000002')])
        .execute();
    } finally {
      await notifications.close();
    }
  }

  beforeAll(async () => {
    // Accepts every e-mail but the newcomer's, which it refuses for good (a send failure on the dashboard).
    const newcomerEmail = `newcomer.${randomUUID().slice(0, 8)}@example.test`;
    mailSink = await startMailSink({
      accept: (message) => {
        if (message.to.includes(newcomerEmail)) {
          throw Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        }
      },
    });
    platform = await startPlatform({
      name: 'live',
      services: PLATFORM_SERVICES,
      env: { notifications: { SMTP_URL: mailSink.url, MAIL_POLL_INTERVAL_MS: '200' } },
      // Seven processes start at once here; on a loaded two-core machine that takes a while.
      startTimeoutMs: 120_000,
      // Sign-in and registration share a small limit, so that the edge's 429 shows; the story stays below it.
      rateLimits: {
        'limit-per-user': { second: 1000, minute: 60000 },
        'limit-per-address': { second: 1000, minute: 60000 },
        'limit-sign-in': { minute: 15 },
      },
    });
    await startPrometheus();
    await loanStory();

    // A consumer that is down: identity's user.registered waits in students' durables (its own gauge is
    // gone with it; the others' jetstream_consumer_pending stays).
    await platform.stop('students', 'SIGKILL');
    const newcomer = await platform.api('POST', '/auth/register', {
      body: {
        email: newcomerEmail,
        password: 'a long passphrase',
        firstName: 'Tiyamike',
        lastName: 'Mwale',
        role: 'student',
        regNumber: `BT/2026/${randomUUID().slice(0, 8)}`,
      },
    });
    expect(newcomer.status, newcomer.text).toBe(201);
    await waitFor('jetstream_consumer_pending{service="notifications"}');
    await deadLetter();
    await settle();

    // The edge's own answers.
    const adminToken = await signInAdmin(platform);
    const me = (token?: string) => platform.api('GET', '/auth/me', token ? { token } : {});
    expect((await me(adminToken)).status).toBe(200);
    expect((await me()).status).toBe(401);
    const admin = { email: PLATFORM_ADMIN.email, password: 'not-the-password' };
    expect((await platform.api('POST', '/auth/login', { body: admin })).status).toBe(401);
    expect((await platform.api('GET', '/auth/no-such-route', { token: adminToken })).status).toBe(404);
    let limited = false;
    for (let attempt = 0; attempt < 30 && !limited; attempt++) {
      limited = await signIn(platform, admin.email, admin.password).then(
        () => false,
        (error: Error) => error.message.includes('429'),
      );
    }
    expect(limited).toBe(true);
    await waitFor('kong_http_requests_total{code="429"}');
    await waitFor('loans_repaid_total > 0');
    await waitFor('loans_close_of_business_loans_total{result="closed"} > 0');
    await waitFor('ledger_reconciliation_last_run_timestamp_seconds');
    await waitFor('mail_sent_total');
    await waitFor('mail_send_failures_total');
    await waitFor('inbox_dead_letters{service="notifications",status="dead"} > 0', 60_000);
    await waitFor('inbox_dead_letters{service="notifications",status="parked"} > 0', 60_000);
    await settle();
    // A 5xx from the edge: the upstream is gone.
    await platform.stop('identity', 'SIGKILL');
    expect((await me(adminToken)).status).toBeGreaterThanOrEqual(500);
    await waitFor('kong_http_requests_total{code=~"5.."}');
    await settle();
  }, 420_000);

  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    await platform?.close();
    await mailSink?.close();
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
          const answers = await Promise.all(moments.map((moment) => query(expr, moment)));
          if (answers.every((answer) => answer.length === 0)) {
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
