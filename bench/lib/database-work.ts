// How much database work one transfer causes: statements the server answered per transfer row the ledger
// gained, split by who sent them. Every service connects as a database user of its own, so MariaDB's user
// statistics (`userstat`) say which statements were the ledger's (the transfer and its outbox row) and which
// the consumers' (an inbox row each, and what their handlers write). The same count for the baseline's
// transaction shows what the HTTP path adds on top of the money movement itself.
import mysql, { type RowDataPacket } from 'mysql2/promise';

export interface DatabaseCounters {
  /** The server's `Questions` (statements from clients, all databases and users). */
  statements: number;
  /** Statements per database user since userstat was turned on (SELECT + UPDATE + OTHER commands). */
  byUser: Record<string, number>;
  /** Rows in the ledger's transfers table. */
  transfers: number;
}

/** Statements of the readings themselves between two `Questions` values (the first's two reads, the second's
 * SET and SHOW): not the platform's. */
const READING_STATEMENTS = 4;

export async function readCounters(adminUrl: string, ledgerDatabase: string): Promise<DatabaseCounters> {
  const conn = await mysql.createConnection({ uri: adminUrl });
  try {
    // Dynamic and cheap; counting starts from the first reading, which is all a difference needs.
    await conn.query('SET GLOBAL userstat = 1');
    const [status] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Questions'");
    const [users] = await conn.query<RowDataPacket[]>(
      `SELECT USER AS user, SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS AS n
         FROM information_schema.USER_STATISTICS`,
    );
    const [count] = await conn.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${conn.escapeId(ledgerDatabase)}.transfers`,
    );
    return {
      statements: Number(status[0]?.Value ?? 0),
      byUser: Object.fromEntries(users.map((row) => [String(row.user), Number(row.n)])),
      transfers: Number(count[0]?.n ?? 0),
    };
  } finally {
    await conn.end();
  }
}

/** Statements per transfer between two readings, in all; undefined when no transfer was made. */
export function statementsPerTransfer(before: DatabaseCounters, after: DatabaseCounters): number | undefined {
  const transfers = after.transfers - before.transfers;
  return transfers > 0 ? (after.statements - before.statements - READING_STATEMENTS) / transfers : undefined;
}

/** Statements per transfer of one database user between two readings; undefined when no transfer was made. */
export function userStatementsPerTransfer(
  user: string,
  before: DatabaseCounters,
  after: DatabaseCounters,
): number | undefined {
  const transfers = after.transfers - before.transfers;
  const sent = (after.byUser[user] ?? 0) - (before.byUser[user] ?? 0);
  return transfers > 0 ? sent / transfers : undefined;
}

/** The database user a service's MYSQL_URL signs in as. */
export const databaseUser = (mysqlUrl: string): string => decodeURIComponent(new URL(mysqlUrl).username);
