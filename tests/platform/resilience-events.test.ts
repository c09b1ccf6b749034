import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createDatabase, type Database } from '@bonding/kit';
import { type PrivateNatsServer, startPrivateNatsServer, waitFor } from '@bonding/testing';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../services/gateway/test/edge.js';
import type { LedgerDatabase } from '../../services/ledger/src/db/schema.js';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import type { StudentsDatabase } from '../../services/students/src/db/schema.js';
import { expectBalancedBooks } from './books.js';
import {
  completeStudent,
  lendingDesk,
  type Person,
  raiseLoan,
  registerStudent,
  signInAdmin,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { type Platform, startPlatform } from './platform.js';

/**
 * The broker goes away while loans are being approved, and the producer that committed the release
 * requests dies before it could publish them: when both are back, every loan is disbursed exactly once
 * and the books balance. Then a poison event in a running service: dead-lettered after its attempts, its
 * user's later event parked behind it, both applied in order once the fault is fixed and an operator
 * replays it with the service's dead-letters command. The platform runs on a NATS server of this file's
 * own, so stopping it leaves the other test files' broker alone. See docs/events.md.
 */
const PRINCIPAL = 2_000_000;
const LOANS_IN_FLIGHT = 4;
const LOANS_WHILE_AWAY = 4;

let nats: PrivateNatsServer;
let platform: Platform;
let ledgerDb: Database<LedgerDatabase>;
let loansDb: Database<LoansDatabase>;
beforeAll(async () => {
  nats = await startPrivateNatsServer();
  platform = await startPlatform({
    name: 'natsaway',
    natsUrl: nats.url,
    startTimeoutMs: 120_000,
    env: {
      // An event retried through the outage must not be dead-lettered on the way...
      all: { EVENT_MAX_ATTEMPTS: '1000' },
      // ...but students gives up on a poison event after three attempts (see the last test).
      students: { EVENT_MAX_ATTEMPTS: '3' },
    },
  });
  ledgerDb = createDatabase<LedgerDatabase>({ url: platform.databaseUrl('ledger'), poolSize: 2 });
  loansDb = createDatabase<LoansDatabase>({ url: platform.databaseUrl('loans'), poolSize: 2 });
}, 180_000);
afterAll(async () => {
  await ledgerDb?.close();
  await loansDb?.close();
  // The broker first: the platform deletes its stream on close.
  await nats?.start();
  await platform?.close();
  await nats?.close();
}, 120_000);

const releaseRequests = (loanIds: string[]) =>
  loansDb.db
    .selectFrom('outbox')
    .select(['id', 'aggregate_key', 'fanned_out_at'])
    .where('type', '=', 'tranche.releaseRequested')
    .where('aggregate_key', 'in', loanIds)
    .execute();

describe('NATS stopped under load, and the producer killed between its commit and its publish', () => {
  let adminToken: string;
  let agent: Person;
  let productId: string;
  beforeAll(async () => {
    ({ adminToken, agent, productId } = await lendingDesk(platform));
  }, 60_000);

  async function studentsWithLoans(count: number) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const student = await completeStudent(platform);
        const loan = await raiseLoan(platform, agent.token, {
          productId,
          studentId: student.id,
          principal: PRINCIPAL,
        });
        expect(loan.status, loan.text).toBe(201);
        return { student, loanId: loan.json.id as string };
      }),
    );
  }

  const approve = (loanId: string) =>
    platform.api('POST', `/loans/${loanId}/approve`, { token: adminToken, body: {} });

  it('disburses every loan once, in the end, and the books balance', async () => {
    // Students and loans first: the students service learns of a student from identity's event.
    const inFlight = await studentsWithLoans(LOANS_IN_FLIGHT);
    const whileAway = await studentsWithLoans(LOANS_WHILE_AWAY);

    // Approvals in flight when the broker goes: some release requests are published, some are not.
    const approving = inFlight.map(({ loanId }) => approve(loanId));
    await nats.stop();
    for (const answer of await Promise.all(approving)) expect(answer.status, answer.text).toBe(200);

    // Loans keeps answering while NATS is away; its release requests commit with the approvals.
    for (const { loanId } of whileAway) {
      const answer = await approve(loanId);
      expect(answer.status, answer.text).toBe(200);
    }
    const stranded = await releaseRequests(whileAway.map(({ loanId }) => loanId));
    expect(stranded).toHaveLength(LOANS_WHILE_AWAY);
    // Committed and not published: nothing could be, with the broker away.
    for (const request of stranded) expect(request.fanned_out_at).toBeNull();

    // The producer dies holding them; its outbox, not its memory, is what publishes them later.
    await platform.stop('loans', 'SIGKILL');
    await nats.start();
    await platform.start('loans');

    const everyone = [...inFlight, ...whileAway];
    for (const { student, loanId } of everyone) {
      await waitForLoanStatus(platform, loanId, adminToken, 'DISBURSED');
      expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL);
    }
    const loanIds = everyone.map(({ loanId }) => loanId);
    const transfers = await ledgerDb.db
      .selectFrom('transfers')
      .select(['loan_id'])
      .where('kind', '=', 'disbursement')
      .where('loan_id', 'in', loanIds)
      .execute();
    // One disbursement per loan, however often its request was published or delivered.
    expect(transfers.map((transfer) => transfer.loan_id).sort()).toEqual([...loanIds].sort());

    const requests = await releaseRequests(loanIds);
    expect(requests).toHaveLength(loanIds.length);
    for (const request of requests) expect(request.fanned_out_at).not.toBeNull();
    const applied = await ledgerDb.db
      .selectFrom('inbox')
      .select('event_id')
      .where(
        'event_id',
        'in',
        requests.map((request) => request.id),
      )
      .execute();
    expect(applied).toHaveLength(loanIds.length);

    // Loans applied each tranche.released once: one DISBURSED step in each loan's history.
    const disbursedSteps = await loansDb.db
      .selectFrom('loan_history')
      .select('loan_id')
      .where('to_status', '=', 'DISBURSED')
      .where('loan_id', 'in', loanIds)
      .execute();
    expect(disbursedSteps).toHaveLength(loanIds.length);
    await expectBalancedBooks(platform, ledgerDb, adminToken);
  }, 300_000);
});

describe('a poison event in a running service, replayed with its dead-letters command after the fix', () => {
  let studentsDb: Database<StudentsDatabase>;
  // The kit's dead-letter tables and the fault itself, in plain SQL (not in the service's schema types).
  let students: mysql.Connection;
  beforeAll(async () => {
    studentsDb = createDatabase<StudentsDatabase>({ url: platform.databaseUrl('students'), poolSize: 2 });
    students = await mysql.createConnection({ uri: platform.databaseUrl('students') });
  });
  afterAll(async () => {
    await studentsDb?.close();
    await students?.end();
  });

  const lettersOf = async (userId: string) => {
    const [rows] = await students.query<RowDataPacket[]>(
      'SELECT type, status, event_id FROM inbox_dead_letters WHERE aggregate_key = ? ORDER BY stream_seq',
      [userId],
    );
    return rows as { type: string; status: string; event_id: string }[];
  };

  const directoryEntryOf = (userId: string) =>
    studentsDb.db
      .selectFrom('student_directory')
      .select(['user_id'])
      .where('user_id', '=', userId)
      .executeTakeFirst();

  /** The service's own command, as an operator runs it (docs/runbooks/BondingInboxDeadLetters.md). */
  function deadLetters(...args: string[]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/dead-letters.ts', ...args], {
      cwd: join(repoRoot, 'services', 'students'),
      env: { ...process.env, MYSQL_URL: platform.databaseUrl('students') },
      encoding: 'utf8',
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    return run.stdout;
  }

  it('dead-letters it after its attempts, parks what follows, and applies both in order after the replay', async () => {
    const adminToken = await signInAdmin(platform);
    // The fault: the directory's table is gone, so students cannot apply a student's registration.
    await students.query('RENAME TABLE student_directory TO student_directory_away');
    let student: Person;
    try {
      student = await registerStudent(platform);
      await waitFor(async () => (await lettersOf(student.id)).some((letter) => letter.status === 'dead'), {
        timeoutMs: 60_000,
        what: "the registration to become students' dead letter",
      });
      // The same user's next events wait behind it instead of overtaking it.
      const disabled = await platform.api('POST', `/users/${student.id}/disable`, {
        token: adminToken,
        body: {},
      });
      expect(disabled.status, disabled.text).toBe(200);
      await waitFor(async () => (await lettersOf(student.id)).some((letter) => letter.status === 'parked'), {
        timeoutMs: 30_000,
        what: "the student's update to be parked",
      });
      expect(deadLetters('list', '--status', 'dead')).toContain('user.registered');
    } finally {
      await students.query('RENAME TABLE student_directory_away TO student_directory');
    }
    expect(await directoryEntryOf(student.id)).toBeUndefined();

    // The fix is in; the operator replays. The running service applies the letter, then what it parked.
    expect(deadLetters('replay', '--all', '--type', 'user.registered')).toContain(
      '1 dead letter(s) marked for replay',
    );
    await waitFor(
      async () =>
        (await lettersOf(student.id)).every((letter) => letter.status === 'replayed') &&
        (await directoryEntryOf(student.id)) !== undefined,
      { timeoutMs: 30_000, what: 'the replay to apply the registration and the parked events' },
    );
    const letters = await lettersOf(student.id);
    // Disabling a user also ends its sessions: every event of the user after the poison one waited, in order.
    expect(letters.map((letter) => letter.type)).toEqual([
      'user.registered',
      'user.updated',
      'user.disabled',
      'session.ended',
    ]);
    // Each applied once: in the inbox once, the aggregate no longer blocked.
    const inbox = await studentsDb.db
      .selectFrom('inbox')
      .select('event_id')
      .where(
        'event_id',
        'in',
        letters.map((letter) => letter.event_id),
      )
      .execute();
    expect(inbox).toHaveLength(letters.length);
    const [blocked] = await students.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM inbox_blocked_aggregates WHERE aggregate_key = ?',
      [student.id],
    );
    expect(Number(blocked[0]?.n)).toBe(0);
  }, 180_000);
});
