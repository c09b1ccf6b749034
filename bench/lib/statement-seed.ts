// Gives a wallet N entries fast: deposits from the currency's cash account, written by the database
// itself (INSERT ... SELECT over a generated number series, 100 000 rows a statement) instead of N API
// calls. Each chunk is one transaction that keeps the ledger consistent: a transfer and its two entries
// (debit cash, credit the wallet) per number, running balances in order, and both account balances
// equal to the sum of their entries. Idempotent: it continues from the entries the wallet already has.
import { randomBytes } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';

/** Rows of one INSERT ... SELECT: the five-digit series below. */
const CHUNK = 100_000;
const AMOUNT = 100;
/** The first seeded entry, so that a million entries one second apart are still in the past. */
const EPOCH = new Date('2024-01-01T00:00:00Z');

/** A UTC DATETIME(3) literal (the connection's time zone is UTC). */
const sqlTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

const digits =
  '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
/** The numbers start .. start + CHUNK - 1 as column n (the caller cuts it at the chunk's end). */
const series = `(SELECT ? + d0.d + 10 * d1.d + 100 * d2.d + 1000 * d3.d + 10000 * d4.d AS n
  FROM ${digits} d0, ${digits} d1, ${digits} d2, ${digits} d3, ${digits} d4) s`;

export interface StatementSeed {
  walletId: string;
  holderId: string;
  cashId: string;
  currency: string;
  entries: number;
  /** Entries written per transaction (at most 100 000); smaller in tests, to cross chunk boundaries. */
  chunk?: number;
}

/** Returns how many entries were added (0 when the wallet already had them). */
export async function seedStatement(mysqlUrl: string, seed: StatementSeed): Promise<number> {
  const conn = await mysql.createConnection({
    uri: mysqlUrl,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    // The rows are consistent and their keys unique by construction; checking a foreign key and a unique
    // index per row would triple the time.
    await conn.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    const [[existing]] = await conn.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM entries WHERE account_id = ?',
      [seed.walletId],
    );
    const already = Number(existing?.n ?? 0);
    // One prefix per seeding session keeps the made-up transfer ids unique across wallets and runs.
    const hex = randomBytes(8).toString('hex');
    const idPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(1, 4)}-`;
    const id = `CONCAT(${mysql.escape(idPrefix)}, LPAD(HEX(s.n), 12, '0'))`;
    const chunk = Math.min(seed.chunk ?? CHUNK, CHUNK);
    const writeChunk = async (start: number, end: number) => {
      const [accounts] = await conn.query<RowDataPacket[]>(
        'SELECT id, balance FROM accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE',
        [seed.walletId, seed.cashId].sort(),
      );
      const cashBefore = BigInt(accounts.find((row) => row.id === seed.cashId)?.balance ?? 0);
      // One second apart, after the cash account's latest entry: both accounts' entries stay in the order
      // of their running balances, whatever was seeded before.
      const [[latest]] = await conn.query<RowDataPacket[]>(
        'SELECT MAX(created_at) AS at FROM entries WHERE account_id = ?',
        [seed.cashId],
      );
      const first = latest?.at ? new Date((latest.at as Date).getTime() + 1000) : EPOCH;
      const at = `DATE_ADD(${mysql.escape(sqlTime(first))}, INTERVAL s.n - ${start} SECOND)`;
      await conn.query(
        `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, from_user_id, to_user_id,
           amount, currency, reference, loan_id, initiator, idempotency_key, created_at)
         SELECT ${id}, 'deposit', ?, ?, NULL, ?, ${AMOUNT}, ?, 'bench seed', NULL, 'bench-seed',
           CONCAT(?, '-', s.n), ${at}
         FROM ${series} WHERE s.n < ?`,
        [seed.cashId, seed.walletId, seed.holderId, seed.currency, idPrefix, start, end],
      );
      // Per number: the cash debit and the wallet credit. No ORDER BY: sorting 200 000 rows would need an
      // on-disk temporary table, and statements order by (created_at, id), which differs per number.
      await conn.query(
        `INSERT INTO entries (transfer_id, account_id, direction, amount, currency, balance_after, created_at)
         SELECT ${id}, x.account_id, x.direction, ${AMOUNT}, ?,
           CASE x.direction WHEN 'debit' THEN ? - (s.n - ? + 1) * ${AMOUNT} ELSE (s.n + 1) * ${AMOUNT} END,
           ${at}
         FROM ${series}
         CROSS JOIN (SELECT ? AS account_id, 'debit' AS direction UNION ALL SELECT ?, 'credit') x
         WHERE s.n < ?`,
        [seed.currency, cashBefore.toString(), start, start, seed.cashId, seed.walletId, end],
      );
      const added = BigInt(end - start) * BigInt(AMOUNT);
      await conn.query('UPDATE accounts SET balance = ?, updated_at = NOW(3) WHERE id = ?', [
        (BigInt(end) * BigInt(AMOUNT)).toString(),
        seed.walletId,
      ]);
      await conn.query('UPDATE accounts SET balance = ?, updated_at = NOW(3) WHERE id = ?', [
        (cashBefore - added).toString(),
        seed.cashId,
      ]);
    };
    for (let start = already; start < seed.entries; start += chunk) {
      const end = Math.min(seed.entries, start + chunk);
      // A chunk is one transaction: a failure (the server's temporary files are shared with everything
      // else on a busy machine) leaves nothing behind, so it is tried again.
      for (let attempt = 1; ; attempt++) {
        try {
          await conn.beginTransaction();
          await writeChunk(start, end);
          await conn.commit();
          break;
        } catch (error) {
          await conn.rollback().catch(() => undefined);
          if (attempt >= 3) throw error;
        }
      }
    }
    if (already < seed.entries) await conn.query('ANALYZE TABLE transfers, entries');
    return Math.max(0, seed.entries - already);
  } finally {
    await conn.end();
  }
}
