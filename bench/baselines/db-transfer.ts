// The database's own limit: the ledger's double-entry transaction (services/ledger/src/db/post-transfer.ts)
// issued straight from mysql2, no HTTP, no framework: lock both accounts in id order, write the transfer,
// set both balances, write the two entries and the outbox event, commit. Run against the bench ledger
// database between the same wallets the HTTP transfers use. The outbox rows are written as already
// fanned out, so that the ledger's relay does not deliver made-up events after the run.
//   node --import tsx bench/baselines/db-transfer.ts <plan.json>   (writes <plan.json>.result)
import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import mysql, { type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { uuidv7 } from '../../packages/kit/src/ids.js';
import { memoryOf } from '../lib/machine.js';
import type { LoadResult } from '../load/scenario.js';

export interface DbTransferPlan {
  mysqlUrl: string;
  accountIds: string[];
  currency: string;
  /** Transactions in flight at once, each on its own connection. */
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

interface Locked extends RowDataPacket {
  id: string;
  owner_id: string | null;
  balance: string;
}

async function transfer(conn: PoolConnection, plan: DbTransferPlan): Promise<void> {
  const from = plan.accountIds[randomInt(plan.accountIds.length)] as string;
  let to = from;
  while (to === from) to = plan.accountIds[randomInt(plan.accountIds.length)] as string;
  const amount = BigInt(1 + randomInt(100));
  await conn.beginTransaction();
  try {
    const [rows] = await conn.query<Locked[]>(
      'SELECT id, owner_id, balance FROM accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE',
      [from, to].sort(),
    );
    const debit = rows.find((row) => row.id === from);
    const credit = rows.find((row) => row.id === to);
    if (!debit || !credit) throw new Error('bench wallet missing');
    const now = new Date();
    const id = uuidv7(now.getTime());
    const fromAfter = (BigInt(debit.balance) - amount).toString();
    const toAfter = (BigInt(credit.balance) + amount).toString();
    await conn.query(
      `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, from_user_id, to_user_id, amount,
         currency, reference, loan_id, initiator, idempotency_key, created_at)
       VALUES (?, 'transfer', ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`,
      [id, from, to, debit.owner_id, credit.owner_id, amount.toString(), plan.currency, 'bench-db', id, now],
    );
    await conn.query('UPDATE accounts SET balance = ?, updated_at = ? WHERE id = ?', [fromAfter, now, from]);
    await conn.query('UPDATE accounts SET balance = ?, updated_at = ? WHERE id = ?', [toAfter, now, to]);
    await conn.query(
      `INSERT INTO entries (transfer_id, account_id, direction, amount, currency, balance_after, created_at)
       VALUES (?, ?, 'debit', ?, ?, ?, ?), (?, ?, 'credit', ?, ?, ?, ?)`,
      [
        id,
        from,
        amount.toString(),
        plan.currency,
        fromAfter,
        now,
        id,
        to,
        amount.toString(),
        plan.currency,
        toAfter,
        now,
      ],
    );
    const payload = JSON.stringify({
      transferId: id,
      purpose: 'transfer',
      loanId: null,
      fromAccountId: from,
      toAccountId: to,
      fromUserId: debit.owner_id,
      toUserId: credit.owner_id,
      amount: { amountMinor: amount.toString(), currency: plan.currency },
    });
    await conn.query(
      `INSERT INTO outbox (id, type, version, aggregate_key, payload, occurred_at, fanned_out_at, created_at)
       VALUES (?, 'transfer.completed', 1, ?, ?, ?, ?, ?)`,
      [uuidv7(now.getTime()), id, payload, now, now, now],
    );
    await conn.commit();
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  }
}

async function drive(pool: mysql.Pool, plan: DbTransferPlan, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const loop = async () => {
    const conn = await pool.getConnection();
    try {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await transfer(conn, plan);
          latencies.push(performance.now() - started);
        } catch {
          errors += 1;
        }
      }
    } finally {
      conn.release();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: plan.connections }, loop));
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

const file = process.argv[2];
if (!file) throw new Error('usage: db-transfer.ts <plan.json>');
const plan = JSON.parse(readFileSync(file, 'utf8')) as DbTransferPlan;
const pool = mysql.createPool({
  uri: plan.mysqlUrl,
  connectionLimit: plan.connections,
  timezone: 'Z',
  supportBigNumbers: true,
  bigNumberStrings: true,
});
try {
  if (plan.warmupSeconds > 0) await drive(pool, plan, plan.warmupSeconds);
  const run = await drive(pool, plan, plan.durationSeconds);
  const sorted = run.latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    requestsPerSecond: sorted.length / run.seconds,
    total: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors: run.errors,
    statusCodes: { committed: sorted.length },
    generatorPeakMB: memoryOf(process.pid)?.peakMB ?? 0,
  };
  writeFileSync(`${file}.result`, JSON.stringify(result));
} finally {
  await pool.end();
}
