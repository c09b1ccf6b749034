import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@bonding/contracts';
import { createLogger, parseConfig, runMigrations, startServer, uuidv7 } from '@bonding/kit';
import {
  applyEventAsConsumer,
  createApiClient,
  createTestDatabase,
  createTestIssuer,
  freePort,
  natsUrl,
} from '@bonding/testing';
import { provisionTestStream } from '../../../scripts/lib/jetstream-provision.js';
import { createLedgerApp } from '../../ledger/src/app.js';
import { buildLedgerDeps } from '../../ledger/src/build-deps.js';
import { ledgerConfigSchema } from '../../ledger/src/config.js';
import { migrations as ledgerMigrations } from '../../ledger/src/db/migrations/index.js';
import { ensureSystemAccounts } from '../../ledger/src/db/system-accounts.js';
import { createLoansApp } from '../src/app.js';
import { buildLoansDeps } from '../src/build-deps.js';
import { loansConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { type StubProduct, startDependencyStub } from './dependencies-stub.js';

export const LOANS_SECRET = 'loans-internal-secret-for-tests-only-00001';
const LEDGER_SECRET = 'ledger-internal-secret-for-tests-only-0001';

export type LoansHarness = Awaited<ReturnType<typeof createLoansHarness>>;

let sequence = 0;
export const newKey = () => `key-${randomUUID()}-${++sequence}`;

/**
 * Loans over a fresh database, served over HTTP next to the real ledger (in
 * process, its own database), their events over a JetStream stream of the
 * harness's own, with catalog and students stubbed over HTTP. The business
 * clock can be moved forward.
 */
export async function createLoansHarness() {
  const issuer = await createTestIssuer();
  const stub = await startDependencyStub();
  const [loansPort, ledgerPort] = [await freePort(), await freePort()];
  const silent = createLogger({ service: 'test', level: 'silent' });
  const clock = { offsetMs: 0 };
  const now = () => new Date(Date.now() + clock.offsetMs);
  const stream = await provisionTestStream(natsUrl(), 'loans');
  const relay = {
    ...stream.env,
    EVENT_POLL_INTERVAL_MS: '50',
    EVENT_RETRY_BASE_MS: '100',
    EVENT_RETRY_MAX_MS: '400',
  };

  const ledgerDb = await createTestDatabase('loans_ledger');
  const ledgerConfig = parseConfig(ledgerConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: ledgerDb.url,
    INTERNAL_SECRETS: LEDGER_SECRET,
    INTERNAL_PEER_SECRETS: `loans=${LOANS_SECRET}`,
    EVENT_SUBSCRIPTIONS: stream.subscriptions('ledger'),
    RECONCILIATION_INTERVAL_MS: '0',
    ...relay,
  });
  const ledger = buildLedgerDeps(ledgerConfig, { keys: issuer.keys, logger: silent });
  await runMigrations(ledger.deps.db, ledgerDb.name, ledgerMigrations);
  await ensureSystemAccounts(ledger.deps.db, ledgerConfig.CURRENCIES, new Date());
  const ledgerService = createLedgerApp(ledger.deps);

  const database = await createTestDatabase('loans');
  const config = parseConfig(loansConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: database.url,
    INTERNAL_SECRETS: LOANS_SECRET,
    INTERNAL_PEER_SECRETS: `ledger=${LEDGER_SECRET}`,
    EVENT_SUBSCRIPTIONS: stream.subscriptions('loans'),
    CATALOG_URL: stub.url,
    STUDENTS_URL: stub.url,
    LEDGER_URL: `http://127.0.0.1:${ledgerPort}`,
    DEPENDENCY_TIMEOUT_MS: '1000',
    DEPENDENCY_RETRIES: '1',
    ...relay,
  });
  const built = buildLoansDeps(config, { keys: issuer.keys, logger: silent, now });
  await runMigrations(built.deps.db, database.name, migrations);
  const loansService = createLoansApp(built.deps);
  const { app } = loansService;

  const serve = (service: typeof loansService, port: number) =>
    startServer({
      app: service.app,
      health: service.health,
      logger: silent,
      host: '127.0.0.1',
      port,
      shutdownTimeoutMs: 1_000,
      handleSignals: false,
    });
  const servers = [await serve(loansService, loansPort), await serve(ledgerService, ledgerPort)];
  await built.deps.events.start();
  await ledger.deps.events.start();
  await Promise.all([built.deps.events.ready(), ledger.deps.events.ready()]);

  const ids = { student: randomUUID(), otherStudent: randomUUID(), agent: randomUUID(), admin: randomUUID() };
  const secondAdmin = randomUUID();
  const tokens = {
    student: await issuer.token({ sub: ids.student, role: 'student' }),
    otherStudent: await issuer.token({ sub: ids.otherStudent, role: 'student' }),
    agent: await issuer.token({ sub: ids.agent, role: 'agent' }),
    admin: await issuer.token({ sub: ids.admin, role: 'admin' }),
    secondAdmin: await issuer.token({ sub: secondAdmin, role: 'admin' }),
  };
  stub.completeFiles.set(ids.student, true);
  stub.completeFiles.set(ids.otherStudent, false);

  /** A request to loans (app.request: no network). */
  const call = createApiClient((path, init) => app.request(path, init));
  /** A request to the real ledger's public API, over HTTP. */
  const callLedger = createApiClient((path, init) => fetch(`http://127.0.0.1:${ledgerPort}${path}`, init));

  /** Applies an event as the JetStream consumer does, without the broker (applyEventAsConsumer). */
  const deliver = (envelope: EventEnvelope) => applyEventAsConsumer(built.deps.events, envelope);

  /** A product in the stubbed catalog. */
  function product(overrides: Partial<StubProduct> = {}): StubProduct {
    const created: StubProduct = {
      id: uuidv7(),
      currency: 'MWK',
      minPrincipal: 10_000,
      maxPrincipal: 100_000_000,
      annualRateBps: 1_200,
      minTermMonths: 3,
      maxTermMonths: 60,
      gracePeriodMonths: 0,
      active: true,
      archived: false,
      ...overrides,
    };
    stub.products.set(created.id, created);
    return created;
  }

  /** A NEW loan raised by the agent for the student (or as `options` say). */
  async function raiseLoan(
    options: {
      token?: string;
      studentId?: string;
      productId?: string;
      principal?: number;
      termMonths?: number;
      studyEndDate?: string;
    } = {},
  ) {
    const productId = options.productId ?? product().id;
    const response = await call('POST', '/api/v1/loans', {
      token: options.token ?? tokens.agent,
      key: newKey(),
      body: {
        productId,
        principal: options.principal ?? 1_000_000,
        termMonths: options.termMonths ?? 12,
        purpose: 'Tuition, first year',
        academicYear: '2026/2027',
        ...(options.studyEndDate ? { studyEndDate: options.studyEndDate } : {}),
        ...(options.token === tokens.student ? {} : { studentId: options.studentId ?? ids.student }),
      },
    });
    if (response.status !== 201) throw new Error(`raise loan failed: ${response.status} ${response.text}`);
    return response.json as { id: string; version: number; status: string };
  }

  /** The student's wallet in the real ledger. */
  function walletOf(studentId: string) {
    return ledger.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('owner_id', '=', studentId)
      .executeTakeFirst();
  }

  /** Money into the student's wallet (an admin's deposit in the real ledger). */
  async function topUp(studentId: string, amount: number) {
    const wallet = await walletOf(studentId);
    const response = await callLedger('POST', '/api/v1/deposits', {
      token: tokens.admin,
      key: newKey(),
      body: { accountId: wallet?.id, amount, currency: 'MWK' },
    });
    if (response.status !== 201) throw new Error(`deposit failed: ${response.status} ${response.text}`);
  }

  async function outboxOf(loanId: string) {
    const rows = await built.deps.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_key', '=', loanId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({ type: row.type, data: JSON.parse(row.payload) }));
  }

  /** Takes the ledger away (its HTTP server and its events; its database stays), as a crashed or redeployed ledger. */
  async function stopLedger() {
    await servers[1]?.shutdown();
    await ledger.deps.events.stop();
  }
  async function restartLedger() {
    ledgerService.health.draining = false;
    servers[1] = await serve(ledgerService, ledgerPort);
    await ledger.deps.events.start();
  }

  return {
    app,
    config,
    stopLedger,
    restartLedger,
    deps: built.deps,
    ledgerDeps: ledger.deps,
    issuer,
    stub,
    ids,
    tokens,
    clock,
    call,
    callLedger,
    deliver,
    product,
    raiseLoan,
    outboxOf,
    walletOf,
    topUp,
    async close() {
      for (const server of servers) await server.shutdown();
      await built.deps.events.stop();
      await ledger.deps.events.stop();
      await built.close();
      await ledger.close();
      await stub.close();
      await database.drop();
      await ledgerDb.drop();
      await stream.close();
    },
  };
}

/** The field names of a 400's errors[], sorted. */
export const fieldsOf = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();

/**
 * The ledger's transfer.completed for a disbursement already made (a fresh event id each call), to
 * deliver it to loans again as a redelivered or repeated outcome.
 */
export function disbursementCompleted(
  transfer: { id: string; debit_account_id: string; credit_account_id: string } | undefined,
  loan: { loanId: string; studentId: string; amountMinor: string },
) {
  return {
    id: uuidv7(),
    type: 'transfer.completed',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'ledger',
    data: {
      transferId: transfer?.id,
      purpose: 'disbursement',
      loanId: loan.loanId,
      fromAccountId: transfer?.debit_account_id,
      toAccountId: transfer?.credit_account_id,
      fromUserId: null,
      toUserId: loan.studentId,
      amount: { amountMinor: loan.amountMinor, currency: 'MWK' },
    },
  };
}
