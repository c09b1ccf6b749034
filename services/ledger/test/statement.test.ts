import { uuidv7 } from '@bonding/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntriesTable, TransfersTable } from '../src/db/schema.js';
import { createLedgerHarness, type LedgerHarness } from './harness.js';

let h: LedgerHarness;
let student: { id: string; token: string };
let walletId: string;
let cashId: string;

const TRANSFERS = 6_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const MINUTE = 60_000;

/**
 * Thousands of deposits written straight into the tables in a few multi-row
 * inserts — consistent ones: running balances, both entries, final balances —
 * so the statement is paged over a realistic history in test time.
 */
async function seedHistory() {
  const cash = await h.deps.db
    .selectFrom('accounts')
    .select(['id', 'balance'])
    .where('type', '=', 'cash')
    .where('currency', '=', 'MWK')
    .executeTakeFirstOrThrow();
  cashId = cash.id;
  let walletBalance = 0n;
  let cashBalance = BigInt(cash.balance);
  const transfers: TransfersTable[] = [];
  const entries: Omit<EntriesTable, 'id'>[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const at = new Date(START + i * MINUTE);
    const amount = BigInt(100 + (i % 7));
    walletBalance += amount;
    cashBalance -= amount;
    const id = uuidv7(at.getTime());
    transfers.push({
      id,
      kind: 'deposit',
      debit_account_id: cash.id,
      credit_account_id: walletId,
      from_user_id: null,
      to_user_id: student.id,
      amount: amount.toString(),
      currency: 'MWK',
      reference: `seed ${i}`,
      loan_id: null,
      initiator: h.ids.admin,
      idempotency_key: `seed-${i}`,
      created_at: at,
    });
    entries.push(
      {
        transfer_id: id,
        account_id: cash.id,
        direction: 'debit',
        amount: amount.toString(),
        currency: 'MWK',
        balance_after: cashBalance.toString(),
        created_at: at,
      },
      {
        transfer_id: id,
        account_id: walletId,
        direction: 'credit',
        amount: amount.toString(),
        currency: 'MWK',
        balance_after: walletBalance.toString(),
        created_at: at,
      },
    );
  }
  for (let i = 0; i < transfers.length; i += 1_000) {
    await h.deps.db
      .insertInto('transfers')
      .values(transfers.slice(i, i + 1_000))
      .execute();
  }
  for (let i = 0; i < entries.length; i += 1_000) {
    await h.deps.db
      .insertInto('entries')
      .values(entries.slice(i, i + 1_000))
      .execute();
  }
  await h.deps.db
    .updateTable('accounts')
    .set({ balance: walletBalance.toString() })
    .where('id', '=', walletId)
    .execute();
  await h.deps.db
    .updateTable('accounts')
    .set({ balance: cashBalance.toString() })
    .where('id', '=', cash.id)
    .execute();
  return walletBalance;
}

let finalBalance: bigint;
beforeAll(async () => {
  h = await createLedgerHarness();
  student = await h.newStudent();
  walletId = (await h.openWallet(student.token)).id;
  finalBalance = await seedHistory();
}, 120_000);
afterAll(() => h.close());

interface Line {
  id: string;
  transferId: string;
  kind: string;
  direction: 'debit' | 'credit';
  amount: number;
  balanceAfter: number;
  counterpartyAccountId: string;
  createdAt: string;
}

async function readAll(query: string, limit = 100): Promise<{ lines: Line[]; pages: number }> {
  const lines: Line[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { status: number; json: { items: Line[]; nextCursor: string | null } } = await h.call(
      'GET',
      `/api/v1/accounts/${walletId}/statement?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      { token: student.token },
    );
    expect(page.status).toBe(200);
    expect(page.json.items.length).toBeLessThanOrEqual(limit);
    lines.push(...page.json.items);
    cursor = page.json.nextCursor;
    pages += 1;
  } while (cursor);
  return { lines, pages };
}

describe('GET /api/v1/accounts/{id}/statement', () => {
  it('pages every entry exactly once, newest first, each balance following from the one before', async () => {
    const { lines, pages } = await readAll('');
    expect(lines).toHaveLength(TRANSFERS);
    expect(pages).toBe(TRANSFERS / 100);
    expect(new Set(lines.map((l) => l.id)).size).toBe(TRANSFERS);
    expect(lines[0]?.balanceAfter).toBe(Number(finalBalance));
    for (let i = 0; i < lines.length - 1; i++) {
      const newer = lines[i] as Line;
      const older = lines[i + 1] as Line;
      expect(Date.parse(newer.createdAt)).toBeGreaterThan(Date.parse(older.createdAt));
      expect(newer.balanceAfter - newer.amount).toBe(older.balanceAfter);
    }
    const last = lines.at(-1) as Line;
    expect(last).toMatchObject({ kind: 'deposit', direction: 'credit', counterpartyAccountId: cashId });
    expect(last.balanceAfter).toBe(last.amount);
  });

  it('keeps to a date range: from inclusive, to exclusive', async () => {
    const from = new Date(START + 1_000 * MINUTE).toISOString();
    const to = new Date(START + 1_250 * MINUTE).toISOString();
    const { lines } = await readAll(`&from=${from}&to=${to}`, 40);
    expect(lines).toHaveLength(250);
    expect(lines[0]?.createdAt).toBe(new Date(START + 1_249 * MINUTE).toISOString());
    expect(lines.at(-1)?.createdAt).toBe(from);
  });

  it('reads a page through the statement index at any depth, never scanning the account', async () => {
    const deep = new Date(START + 10 * MINUTE);
    const plan = await sql<Record<string, unknown>>`
      explain select e.id from entries e
      where e.account_id = ${walletId} and e.created_at <= ${deep}
        and (e.created_at < ${deep} or e.id < ${'999999999'})
      order by e.created_at desc, e.id desc limit 101
    `.execute(h.deps.db);
    const row = plan.rows[0] as { key?: string; rows?: number | string };
    expect(row.key).toBe('entries_statement');
    expect(Number(row.rows)).toBeLessThan(1_000);
  });

  it('agrees with the ledger: the seeded history reconciles', async () => {
    const report = await h.call('GET', '/api/v1/ledger/reconciliation', { token: h.tokens.admin });
    expect(report.json.balanced).toBe(true);
  });

  it('is for the holder and staff only', async () => {
    const path = `/api/v1/accounts/${walletId}/statement?limit=1`;
    for (const token of [student.token, h.tokens.agent, h.tokens.admin]) {
      expect((await h.call('GET', path, { token })).status).toBe(200);
    }
    expect((await h.call('GET', path, { token: h.tokens.otherStudent })).status).toBe(404);
    expect((await h.call('GET', path)).status).toBe(401);
  });

  it('answers an empty page for a range that ends before it starts', async () => {
    const response = await h.call(
      'GET',
      `/api/v1/accounts/${walletId}/statement?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
      { token: student.token },
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ items: [], nextCursor: null });
  });

  it.each([
    ['a date that is not one', 'from=yesterday', 'query.from'],
    ['a cursor this API never issued', 'cursor=WyJub3QgYSBkYXRlIiwiMSJd', 'query.cursor'],
    ['a limit over 100', 'limit=500', 'query.limit'],
  ])('answers 400 for %s', async (_name, query, field) => {
    const response = await h.call('GET', `/api/v1/accounts/${walletId}/statement?${query}`, {
      token: student.token,
    });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });
});
