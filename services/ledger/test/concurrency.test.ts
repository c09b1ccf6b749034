import { createLogger, type RunningServer, startServer } from '@bonding/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerApp } from '../src/app.js';
import { createLedgerHarness, type LedgerHarness } from './harness.js';

/**
 * Many clients moving money at once over real HTTP, then the books are
 * checked: nothing created or lost, no wallet below zero, every balance equal
 * to its entries, every key applied once, and every balance exactly what the
 * clients' own record of the confirmed movements says it must be.
 */
const CLIENTS = Number(process.env.LEDGER_STRESS_CLIENTS ?? 40);
const WALLETS = 50;
const DURATION_MS = Number(process.env.LEDGER_STRESS_SECONDS ?? 12) * 1_000;
const OPENING_BALANCE = 500_000;
const SEED = Number(process.env.LEDGER_STRESS_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing run can be repeated with LEDGER_STRESS_SEED. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Wallet {
  id: string;
  ownerId: string;
  token: string;
  currency: string;
}

interface Operation {
  key: string;
  token: string;
  path: string;
  body: Record<string, unknown>;
  /** Balance changes the clients expect once the server confirms it. */
  effects: [walletId: string, delta: number][];
}

interface Outcome {
  status: number;
  code?: string;
  transferId?: string;
  replayed: boolean;
}

let h: LedgerHarness;
let server: RunningServer;
let baseUrl: string;
const wallets: Wallet[] = [];

beforeAll(async () => {
  h = await createLedgerHarness({ MYSQL_POOL_SIZE: '16' });
  const { app, health } = createLedgerApp(h.deps);
  server = await startServer({
    app,
    health,
    logger: createLogger({ service: 'ledger', level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    shutdownTimeoutMs: 5_000,
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  for (let i = 0; i < WALLETS; i++) {
    const student = await h.newStudent();
    const currency = i < 40 ? 'MWK' : 'USD';
    const wallet = await h.openWallet(student.token, currency);
    await h.deposit(wallet.id, OPENING_BALANCE, currency);
    wallets.push({ id: wallet.id, ownerId: student.id, token: student.token, currency });
  }
}, 60_000);
afterAll(async () => {
  await server?.shutdown();
  await h?.close();
});

async function send(operation: Operation): Promise<Outcome> {
  const response = await fetch(`${baseUrl}${operation.path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${operation.token}`,
      'Idempotency-Key': operation.key,
    },
    body: JSON.stringify(operation.body),
  });
  const json = (await response.json()) as { code?: string; id?: string };
  return {
    status: response.status,
    ...(json.code ? { code: json.code } : {}),
    ...(response.status === 201 && json.id ? { transferId: json.id } : {}),
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}

/** Sends until the answer is final: a request still in flight (409) or a busy database (503) is retried. */
async function settle(operation: Operation, log: Outcome[]): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await send(operation);
    log.push(outcome);
    const transient =
      (outcome.status === 409 && outcome.code === 'idempotency_request_in_progress') ||
      outcome.status === 503;
    if (!transient || attempt > 200) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 5 + attempt * 5));
  }
}

describe('the ledger under concurrent load', () => {
  it(
    `keeps its books exact with ${CLIENTS} clients moving money among ${WALLETS} wallets`,
    async () => {
      const next = random(SEED);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
      const amount = (max: number) => 1 + Math.floor(next() * max);
      let sequence = 0;

      function nextOperation(): Operation {
        const key = `stress-${SEED}-${++sequence}`;
        const roll = next();
        const wallet = pick(wallets);
        if (roll < 0.6) {
          const dice = next();
          const peers = wallets.filter((w) => w.id !== wallet.id && w.currency === wallet.currency);
          // Mostly fair transfers; some to oneself or across currencies, which must be refused.
          const to =
            dice < 0.04
              ? wallet
              : dice < 0.08
                ? pick(wallets.filter((w) => w.currency !== wallet.currency))
                : pick(peers);
          const value = amount(120_000);
          return {
            key,
            token: wallet.token,
            path: '/api/v1/transfers',
            body: { fromAccountId: wallet.id, toAccountId: to.id, amount: value, currency: wallet.currency },
            effects: [
              [wallet.id, -value],
              [to.id, value],
            ],
          };
        }
        if (roll < 0.8) {
          const value = amount(60_000);
          return {
            key,
            token: h.tokens.admin,
            path: '/api/v1/deposits',
            body: { accountId: wallet.id, amount: value, currency: wallet.currency },
            effects: [[wallet.id, value]],
          };
        }
        const value = amount(150_000);
        return {
          key,
          token: wallet.token,
          path: '/api/v1/withdrawals',
          body: { accountId: wallet.id, amount: value, currency: wallet.currency },
          effects: [[wallet.id, -value]],
        };
      }

      const expected = new Map(wallets.map((w) => [w.id, OPENING_BALANCE]));
      const confirmed = new Map<string, string>();
      const results = new Map<string, Outcome[]>();
      const unexpected: string[] = [];
      let requests = 0;
      let duplicated = 0;
      let replays = 0;

      function judge(operation: Operation, outcomes: Outcome[]): void {
        results.set(operation.key, outcomes);
        requests += outcomes.length;
        const finals = outcomes.filter(
          (o) => !((o.status === 409 && o.code === 'idempotency_request_in_progress') || o.status === 503),
        );
        for (const o of outcomes) {
          const allowed =
            o.status === 201 ||
            (o.status === 409 && o.code === 'idempotency_request_in_progress') ||
            (o.status === 422 &&
              ['insufficient_funds', 'currency_mismatch', 'self_transfer'].includes(o.code ?? ''));
          if (!allowed) unexpected.push(`${operation.path} ${o.status} ${o.code ?? ''}`);
        }
        const created = finals.filter((o) => o.status === 201);
        if (created.length === 0) return;
        const ids = new Set(created.map((o) => o.transferId));
        if (ids.size !== 1)
          unexpected.push(`key ${operation.key} answered with ${ids.size} different transfers`);
        if (!confirmed.has(operation.key)) {
          confirmed.set(operation.key, created[0]?.transferId as string);
          for (const [walletId, delta] of operation.effects) {
            expected.set(walletId, (expected.get(walletId) ?? 0) + delta);
          }
        }
      }

      const started = Date.now();
      const deadline = started + DURATION_MS;
      async function client(): Promise<void> {
        while (Date.now() < deadline) {
          const operation = nextOperation();
          const roll = next();
          if (roll < 0.1) {
            // The same request sent 2–3 times at once, as a client retrying on a timeout would.
            duplicated += 1;
            const copies = 2 + Math.floor(next() * 2);
            const logs = await Promise.all(
              Array.from({ length: copies }, async () => {
                const log: Outcome[] = [];
                await settle(operation, log);
                return log;
              }),
            );
            judge(operation, logs.flat());
          } else {
            const log: Outcome[] = [];
            const outcome = await settle(operation, log);
            if (outcome.status === 201 && roll < 0.15) {
              // Retried later with the same key: the first answer, replayed.
              replays += 1;
              const again = await send(operation);
              log.push(again);
              if (!again.replayed || again.transferId !== outcome.transferId) {
                unexpected.push(
                  `replay of ${operation.key} answered ${again.status} ${again.transferId ?? ''}`,
                );
              }
            }
            judge(operation, log);
          }
        }
      }
      await Promise.all(Array.from({ length: CLIENTS }, () => client()));
      const elapsedMs = Date.now() - started;

      const db = h.deps.db;
      const statuses = [...results.values()].flat().reduce<Record<string, number>>((counts, o) => {
        const label = `${o.status}${o.code ? ` ${o.code}` : ''}`;
        counts[label] = (counts[label] ?? 0) + 1;
        return counts;
      }, {});
      const lockRetries = (
        await h.deps.metrics.registry.getSingleMetricAsString('ledger_transfer_lock_retries_total')
      )
        .split('\n')
        .find((line) => line.startsWith('ledger_transfer_lock_retries_total'));
      console.log(
        JSON.stringify(
          {
            seed: SEED,
            clients: CLIENTS,
            wallets: WALLETS,
            seconds: elapsedMs / 1000,
            operations: results.size,
            requests,
            applied: confirmed.size,
            appliedPerSecond: Math.round(confirmed.size / (elapsedMs / 1000)),
            duplicatedConcurrently: duplicated,
            replayedLater: replays,
            statuses,
            lockRetries,
          },
          null,
          2,
        ),
      );

      // Every answer was one the API may give, and each key named one transfer.
      expect(unexpected).toEqual([]);
      expect(confirmed.size).toBeGreaterThan(CLIENTS * 5);
      expect(duplicated).toBeGreaterThan(0);

      // Nothing created or lost: per currency, every balance (system accounts included) sums to zero.
      const totals = await db
        .selectFrom('accounts')
        .select(['currency', sql<string>`sum(balance)`.as('total')])
        .groupBy('currency')
        .execute();
      expect(totals.map((t) => [t.currency, String(t.total)]).sort()).toEqual([
        ['MWK', '0'],
        ['USD', '0'],
      ]);

      // No wallet below zero.
      const negative = await db
        .selectFrom('accounts')
        .select('id')
        .where('type', '=', 'wallet')
        .where('balance', '<', '0')
        .execute();
      expect(negative).toEqual([]);

      // Every balance equals its entries, and every transfer is one debit and one equal credit.
      const report = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
      expect(report.json).toMatchObject({ balanced: true, mismatchedAccounts: [], unbalancedTransfers: [] });

      // Each key applied exactly once, as the transfer its answers named.
      const stressed = await db
        .selectFrom('transfers')
        .select(['id', 'idempotency_key'])
        .where('idempotency_key', 'like', `stress-${SEED}-%`)
        .execute();
      expect(stressed.length).toBe(confirmed.size);
      expect(new Map(stressed.map((t) => [t.idempotency_key, t.id]))).toEqual(confirmed);

      // And every wallet holds exactly what the confirmed movements add up to.
      const balances = await db
        .selectFrom('accounts')
        .select(['id', 'balance'])
        .where('type', '=', 'wallet')
        .execute();
      expect(new Map(balances.map((b) => [b.id, Number(b.balance)]))).toEqual(expected);
    },
    DURATION_MS + 90_000,
  );
});
