// How much database work one transfer causes: statements the server answered (every service's database, so
// the events a transfer causes count too) per transfer row the ledger gained. The same count for the
// baseline's transaction shows what the HTTP path adds on top of the money movement itself.
import mysql, { type RowDataPacket } from 'mysql2/promise';

export interface DatabaseCounters {
  /** The server's `Questions` (statements from clients, all databases). */
  statements: number;
  /** Rows in the ledger's transfers table. */
  transfers: number;
}

export async function readCounters(adminUrl: string, ledgerDatabase: string): Promise<DatabaseCounters> {
  const conn = await mysql.createConnection({ uri: adminUrl });
  try {
    const [status] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Questions'");
    const [count] = await conn.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${conn.escapeId(ledgerDatabase)}.transfers`,
    );
    return { statements: Number(status[0]?.Value ?? 0), transfers: Number(count[0]?.n ?? 0) };
  } finally {
    await conn.end();
  }
}

/** Statements per transfer between two readings; undefined when no transfer was made. */
export function statementsPerTransfer(before: DatabaseCounters, after: DatabaseCounters): number | undefined {
  const transfers = after.transfers - before.transfers;
  // The two readings' own statements (four) are not the platform's.
  return transfers > 0 ? (after.statements - before.statements - 4) / transfers : undefined;
}
