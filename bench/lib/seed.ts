// The data the load needs, made through the public API where that is cheap (students, sign-ins, wallets,
// deposits) and straight in the database where it is not (statements of 10k and 1M entries; e-mail
// verification, which would otherwise need the code from each e-mail). Reused between runs.
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { Caller } from '../load/scenario.js';
import { call, expectStatus, subjectOf } from './http.js';
import { benchUrl } from './stack.js';
import { seedStatement } from './statement-seed.js';

export const CURRENCY = 'MWK';
const PASSWORD = 'bench passphrase for load runs';
/** What each transfer wallet holds at the start of a run: never overdrawn by 1-100 per transfer. */
const WALLET_FLOAT = 1_000_000_000_000;

const SETUP_CONCURRENCY = 8;

const api = (service: string, path: string) => `${benchUrl(service)}/api/v1${path}`;

export interface SeededData {
  admin: { email: string; password: string };
  /** Students with a funded wallet, for transfers and the signed-in reads. */
  callers: Caller[];
  credentials: { email: string; password: string }[];
  statements: { small: Caller; large: Caller };
  cashAccountId: string;
  /** Statement entries added in this run (0 when they were already there), and the seconds it took. */
  statementEntriesAdded: number;
  statementSeedSeconds: number;
}

/** Set-up calls a few at a time: faster than one by one, without queueing hundreds of password hashes. */
async function inBatches<T, R>(items: T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += SETUP_CONCURRENCY) {
    const batch = items.slice(i, i + SETUP_CONCURRENCY);
    results.push(...(await Promise.all(batch.map((item, j) => work(item, i + j)))));
  }
  return results;
}

async function signIn(email: string, password: string): Promise<string> {
  const answer = expectStatus(
    await call('POST', api('identity', '/auth/login'), { body: { email, password } }),
    [200],
    `sign-in of ${email}`,
  );
  return (answer.body as { accessToken: string }).accessToken;
}

async function registerStudent(email: string, regNumber: string): Promise<void> {
  const answer = await call('POST', api('identity', '/auth/register'), {
    body: { email, password: PASSWORD, firstName: 'Bench', lastName: regNumber, role: 'student', regNumber },
  });
  expectStatus(answer, [201, 409], `registration of ${email}`);
}

/** The student's wallet in the bench currency, opened if needed. */
async function walletOf(token: string): Promise<{ id: string; balance: number }> {
  const opened = await call('POST', api('ledger', '/accounts'), { token, body: { type: 'wallet' } });
  expectStatus(opened, [201, 409], 'opening a wallet');
  const list = expectStatus(
    await call('GET', api('ledger', '/accounts?type=wallet'), { token }),
    [200],
    'listing wallets',
  );
  const wallet = (list.body as { items: { id: string; currency: string; balance: number }[] }).items.find(
    (item) => item.currency === CURRENCY,
  );
  if (!wallet) throw new Error('the wallet just opened is not listed');
  return wallet;
}

export async function seedBenchData(options: {
  adminUrl: string;
  mysqlUrls: Record<string, string>;
  admin: { email: string; password: string };
  students: number;
  statementSizes: { small: number; large: number };
}): Promise<SeededData> {
  const emails = Array.from({ length: options.students }, (_, i) => `bench.student.${i}@bench.local`);
  const statementEmails = ['bench.statement.small@bench.local', 'bench.statement.large@bench.local'];
  const all = [...emails, ...statementEmails];
  // The registration number follows the e-mail, so that a student added later never takes another's.
  await inBatches(all, (email) =>
    registerStudent(email, `BENCH/${email.split('@')[0]?.replaceAll('.', '-')}`),
  );
  // Money moves need a verified e-mail; the code is in an e-mail nobody reads here.
  const identityDb = await mysql.createConnection({ uri: options.mysqlUrls.identity as string });
  try {
    await identityDb.query(
      'UPDATE users SET email_verified_at = created_at WHERE email IN (?) AND email_verified_at IS NULL',
      [all],
    );
  } finally {
    await identityDb.end();
  }

  const adminToken = await signIn(options.admin.email, options.admin.password);
  const callerOf = async (email: string): Promise<Caller & { balance: number }> => {
    const token = await signIn(email, PASSWORD);
    const wallet = await walletOf(token);
    return { userId: subjectOf(token), token, accountId: wallet.id, balance: wallet.balance };
  };
  // Statements first: their entries are dated in the past, before the wallets' deposits made now.
  const [small, large] = await Promise.all(statementEmails.map(callerOf));
  if (!small || !large) throw new Error('statement holders missing');

  const cashAccountId = await cashAccount(options.mysqlUrls.ledger as string);
  const started = performance.now();
  let statementEntriesAdded = 0;
  for (const [holder, entries] of [
    [small, options.statementSizes.small],
    [large, options.statementSizes.large],
  ] as const) {
    statementEntriesAdded += await seedStatement(options.mysqlUrls.ledger as string, {
      walletId: holder.accountId,
      holderId: holder.userId,
      cashId: cashAccountId,
      currency: CURRENCY,
      entries,
    });
  }
  const statementSeedSeconds = (performance.now() - started) / 1000;
  const callers = await inBatches(emails, async (email) => {
    const caller = await callerOf(email);
    if (caller.balance < WALLET_FLOAT / 2) {
      const deposit = await call('POST', api('ledger', '/deposits'), {
        token: adminToken,
        idempotent: true,
        body: { accountId: caller.accountId, amount: WALLET_FLOAT, currency: CURRENCY },
      });
      expectStatus(deposit, [201], 'funding a bench wallet');
    }
    return { userId: caller.userId, token: caller.token, accountId: caller.accountId } satisfies Caller;
  });
  return {
    admin: options.admin,
    callers,
    credentials: emails.map((email) => ({ email, password: PASSWORD })),
    statements: { small, large },
    cashAccountId,
    statementEntriesAdded,
    statementSeedSeconds,
  };
}

async function cashAccount(ledgerUrl: string): Promise<string> {
  const conn = await mysql.createConnection({ uri: ledgerUrl });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      "SELECT id FROM accounts WHERE type = 'cash' AND currency = ?",
      [CURRENCY],
    );
    const id = rows[0]?.id as string | undefined;
    if (!id) throw new Error(`the bench ledger has no ${CURRENCY} cash account`);
    return id;
  } finally {
    await conn.end();
  }
}
