import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@bonding/contracts';
import { createLogger, parseConfig, runMigrations, signRequest } from '@bonding/kit';
import {
  applyEventAsConsumer,
  collectLogLines,
  createApiClient,
  createTestDatabase,
  createTestIssuer,
} from '@bonding/testing';
import { createLedgerApp } from '../src/app.js';
import { buildLedgerDeps } from '../src/build-deps.js';
import { ledgerConfigSchema } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { ensureSystemAccounts } from '../src/db/system-accounts.js';

export const INTERNAL_SECRET = 'ledger-internal-secret-for-tests-only-0001';

export type LedgerHarness = Awaited<ReturnType<typeof createLedgerHarness>>;

let sequence = 0;
/** A fresh Idempotency-Key. */
export const newKey = () => `key-${randomUUID()}-${++sequence}`;

/** The ledger app over a fresh MariaDB database (MWK and USD), with tokens from a stand-in issuer. */
export async function createLedgerHarness(env: Record<string, string> = {}) {
  const database = await createTestDatabase('ledger');
  const issuer = await createTestIssuer();
  const config = parseConfig(ledgerConfigSchema, {
    NODE_ENV: 'test',
    MYSQL_URL: database.url,
    CURRENCIES: 'MWK,USD',
    INTERNAL_SECRETS: INTERNAL_SECRET,
    RECONCILIATION_INTERVAL_MS: '0',
    ...env,
  });
  const { destination, lines: logLines } = collectLogLines();
  const built = buildLedgerDeps(config, {
    keys: issuer.keys,
    logger: createLogger({ service: 'ledger', level: 'info', destination }),
  });
  await runMigrations(built.deps.db, database.name, migrations);
  await ensureSystemAccounts(built.deps.db, config.CURRENCIES, new Date());
  const { app } = createLedgerApp(built.deps);

  const ids = { student: randomUUID(), otherStudent: randomUUID(), agent: randomUUID(), admin: randomUUID() };
  const tokens = {
    student: await issuer.token({ sub: ids.student, role: 'student' }),
    otherStudent: await issuer.token({ sub: ids.otherStudent, role: 'student' }),
    agent: await issuer.token({ sub: ids.agent, role: 'agent' }),
    admin: await issuer.token({ sub: ids.admin, role: 'admin' }),
  };

  const call = createApiClient((path, init) => app.request(path, init));

  /** A signed call to an /internal route, as loans makes it. */
  function callInternal(path: string, body: unknown, options: { key?: string; secret?: string } = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return call('POST', path, {
      body: text,
      ...(options.key ? { key: options.key } : {}),
      headers: {
        'Bonding-Signature': signRequest(options.secret ?? INTERNAL_SECRET, {
          method: 'POST',
          path,
          body: text,
        }),
      },
    });
  }

  /** Applies an event as the JetStream consumer does, without the broker (applyEventAsConsumer). */
  const deliver = (envelope: EventEnvelope) => applyEventAsConsumer(built.deps.events, envelope);

  /** A new student with a token. */
  async function newStudent() {
    const id = randomUUID();
    return { id, token: await issuer.token({ sub: id, role: 'student' }) };
  }

  /** Opens the caller's wallet and returns it. */
  async function openWallet(token: string, currency = 'MWK') {
    const response = await call('POST', '/api/v1/accounts', { token, body: { currency } });
    if (response.status !== 201) throw new Error(`open wallet failed: ${response.status} ${response.text}`);
    return response.json as { id: string; currency: string; ownerId: string };
  }

  /** An admin deposit into a wallet. */
  async function deposit(accountId: string, amount: number, currency = 'MWK') {
    const response = await call('POST', '/api/v1/deposits', {
      token: tokens.admin,
      key: newKey(),
      body: { accountId, amount, currency },
    });
    if (response.status !== 201) throw new Error(`deposit failed: ${response.status} ${response.text}`);
    return response.json;
  }

  async function balanceOf(accountId: string): Promise<number> {
    const row = await built.deps.db
      .selectFrom('accounts')
      .select('balance')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.balance);
  }

  return {
    app,
    config,
    deps: built.deps,
    database,
    issuer,
    ids,
    tokens,
    logLines,
    call,
    callInternal,
    deliver,
    newStudent,
    openWallet,
    deposit,
    balanceOf,
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

/** The field names of a 400's errors[], sorted. */
export const fieldsOf = (json: { errors?: { field: string }[] }) =>
  [...new Set((json.errors ?? []).map((e) => e.field))].sort();
