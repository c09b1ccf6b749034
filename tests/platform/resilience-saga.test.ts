import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@bonding/kit';
import { waitFor } from '@bonding/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDatabase } from '../../services/ledger/src/db/schema.js';
import type { LoansDatabase } from '../../services/loans/src/db/schema.js';
import { expectBalancedBooks as expectBooksBalanced } from './books.js';
import {
  completeStudent,
  lendingDesk,
  type Person,
  raiseLoan,
  waitForLoanStatus,
  walletBalance,
} from './journeys.js';
import { type Platform, startPlatform } from './platform.js';
import { holdRowLock } from './row-lock.js';

/**
 * Services killed with SIGKILL in the middle of the disbursement saga and of a repayment, at chosen
 * points (a row lock held by the test stops the ledger mid-transaction), then restarted: nothing is
 * lost and nothing happens twice. And many copies of one request with one Idempotency-Key, sent at
 * once through the edge, have one effect. See docs/resilience.md.
 */
const PRINCIPAL = 1_500_000;

let platform: Platform;
let ledgerDb: Database<LedgerDatabase>;
let loansDb: Database<LoansDatabase>;
beforeAll(async () => {
  platform = await startPlatform({
    name: 'resilience',
    // Restarts happen on a machine busy with other test files: bounded, but generously.
    startTimeoutMs: 120_000,
    env: {
      // An event retried through a whole restart must not be dead-lettered on the way.
      all: { EVENT_MAX_ATTEMPTS: '1000' },
      // Short leases, so what a killed loans process had claimed is taken over within the test's time;
      // a long wait for the ledger, so loans is still waiting (not yet given up) when the test kills it.
      loans: {
        IDEMPOTENCY_LEASE_MS: '4000',
        DEPENDENCY_TIMEOUT_MS: '60000',
      },
    },
  });
  ledgerDb = createDatabase<LedgerDatabase>({ url: platform.databaseUrl('ledger'), poolSize: 2 });
  loansDb = createDatabase<LoansDatabase>({ url: platform.databaseUrl('loans'), poolSize: 2 });
}, 180_000);
afterAll(async () => {
  await ledgerDb?.close();
  await loansDb?.close();
  await platform?.close();
});

/** Starts the named services again (wired as before) where they are stopped; running ones are left alone. */
async function restart(...names: Array<'ledger' | 'loans'>): Promise<void> {
  for (const name of names) if (platform && !platform.process(name)) await platform.start(name);
}

/** Bounds for a test that restarts services on a loaded machine: generous, never open-ended. */
const RESTART_TEST_MS = 180_000;

// A test that failed half-way must not leave the next one without its services.
afterEach(() => restart('ledger', 'loans'), 150_000);

describe('SIGKILL in the middle of the loan saga, then a restart', () => {
  let adminToken: string;
  let agent: Person;
  let productId: string;
  beforeAll(async () => {
    ({ adminToken, agent, productId } = await lendingDesk(platform));
  }, 60_000);

  /** A student with a complete file and an MWK wallet (so the test can lock it), and a NEW loan. */
  async function studentWithLoan() {
    const student = await completeStudent(platform);
    const wallet = await platform.api('POST', '/accounts', {
      token: student.token,
      body: { currency: 'MWK' },
    });
    expect(wallet.status, wallet.text).toBe(201);
    const loan = await raiseLoan(platform, agent.token, {
      productId,
      studentId: student.id,
      principal: PRINCIPAL,
    });
    expect(loan.status, loan.text).toBe(201);
    return { student, walletId: wallet.json.id as string, loanId: loan.json.id as string };
  }

  async function approve(loanId: string) {
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, { token: adminToken, body: {} });
    expect(approved.status, approved.text).toBe(200);
  }

  async function disbursedLoan() {
    const made = await studentWithLoan();
    await approve(made.loanId);
    await waitForLoanStatus(platform, made.loanId, adminToken, 'DISBURSED');
    return made;
  }

  const transfersOfLoan = (loanId: string, kind: 'disbursement' | 'repayment') =>
    ledgerDb.db
      .selectFrom('transfers')
      .select(['id', 'amount', 'idempotency_key'])
      .where('loan_id', '=', loanId)
      .where('kind', '=', kind)
      .execute();

  // A loan is released tranche by tranche: its one tranche (no plan) is asked for at approval.
  const releasedEvents = (loanId: string) =>
    ledgerDb.db
      .selectFrom('outbox')
      .select('id')
      .where('aggregate_key', '=', loanId)
      .where('type', '=', 'tranche.released')
      .execute();

  /** Loans' tranche.releaseRequested (its outbox row: `fanned_out_at` once the stream acknowledged it). */
  const releaseRequest = (loanId: string) =>
    loansDb.db
      .selectFrom('outbox')
      .select(['id', 'fanned_out_at'])
      .where('type', '=', 'tranche.releaseRequested')
      .where('aggregate_key', '=', loanId)
      .executeTakeFirstOrThrow();

  /** How often the ledger's inbox holds the release request: once, however often it was delivered. */
  async function appliedByLedger(eventId: string) {
    const rows = await ledgerDb.db
      .selectFrom('inbox')
      .select('event_id')
      .where('event_id', '=', eventId)
      .execute();
    return rows.length;
  }

  const trancheOf = (loanId: string) =>
    loansDb.db.selectFrom('tranches').select('id').where('loan_id', '=', loanId).executeTakeFirstOrThrow();

  /**
   * The books after a disbursement that went through a crash: one disbursement transfer (the tranche's
   * upkeep leg), the wallet credited once, every currency summing to zero, the loan DISBURSED once with
   * that transfer, and one event of each kind on either side.
   */
  async function expectDisbursedOnce(loanId: string, student: Person) {
    const loan = await waitForLoanStatus(platform, loanId, adminToken, 'DISBURSED');
    const transfers = await transfersOfLoan(loanId, 'disbursement');
    expect(transfers).toHaveLength(1);
    const tranche = await trancheOf(loanId);
    expect(transfers[0]).toMatchObject({
      amount: String(PRINCIPAL),
      idempotency_key: `${tranche.id}:upkeep`,
    });
    expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL);
    const stored = await loansDb.db
      .selectFrom('loans')
      .select('disbursement_transfer_id')
      .where('id', '=', loanId)
      .executeTakeFirstOrThrow();
    expect(stored.disbursement_transfer_id).toBe(transfers[0]?.id);
    expect(loan.status).toBe('DISBURSED');

    const history = await loansDb.db
      .selectFrom('loan_history')
      .select('to_status')
      .where('loan_id', '=', loanId)
      .where('to_status', '=', 'DISBURSED')
      .execute();
    expect(history).toHaveLength(1);
    const loansEvents = await loansDb.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_key', '=', loanId)
      .where('type', 'in', ['loan.approved', 'loan.disbursed'])
      .orderBy('seq')
      .execute();
    expect(loansEvents.map((e) => e.type)).toEqual(['loan.approved', 'loan.disbursed']);
    const ledgerEvents = await releasedEvents(loanId);
    expect(ledgerEvents).toHaveLength(1);
    // Loans processed that one tranche.released (its inbox holds the id), and the ledger the request.
    const seenByLoans = await loansDb.db
      .selectFrom('inbox')
      .select('event_id')
      .where('event_id', '=', ledgerEvents[0]?.id as string)
      .execute();
    expect(seenByLoans).toHaveLength(1);
    await expectBalancedBooks();
  }

  const expectBalancedBooks = () => expectBooksBalanced(platform, ledgerDb, adminToken);

  it(
    'kills the ledger mid-transaction (before its commit): the release request is redelivered and disbursed once',
    async () => {
      const { student, walletId, loanId } = await studentWithLoan();
      const lock = await holdRowLock(platform.databaseUrl('ledger'), 'accounts', walletId);
      try {
        await approve(loanId);
        await lock.waitForWaiter();
        await platform.stop('ledger', 'SIGKILL');
        // The database rolled the dead connection's transaction back: nothing moved.
        expect(await transfersOfLoan(loanId, 'disbursement')).toEqual([]);
      } finally {
        await lock.release();
      }
      // Unacknowledged, the message is handed out again after the durable's ack wait, to the restarted ledger.
      await restart('ledger');
      await expectDisbursedOnce(loanId, student);
      const request = await releaseRequest(loanId);
      expect(request.fanned_out_at).not.toBeNull();
      expect(await appliedByLedger(request.id)).toBe(1);
    },
    RESTART_TEST_MS,
  );

  it(
    'kills loans while the ledger applies its approval, then the ledger right after its commit: disbursed once',
    async () => {
      const { student, walletId, loanId } = await studentWithLoan();
      const lock = await holdRowLock(platform.databaseUrl('ledger'), 'accounts', walletId);
      try {
        await approve(loanId);
        await lock.waitForWaiter();
        // Loans dies while the ledger applies its release request: the ledger takes it from the stream,
        // not from loans, so it goes on.
        await platform.stop('loans', 'SIGKILL');
      } finally {
        await lock.release();
      }
      await waitFor(async () => (await transfersOfLoan(loanId, 'disbursement')).length === 1, {
        timeoutMs: 20_000,
        what: 'the ledger to commit the disbursement',
      });
      // The ledger dies right after its commit, before or after its publisher sent tranche.released: either
      // way the outbox row is there, and the restarted ledger publishes what it had not.
      await platform.stop('ledger', 'SIGKILL');
      const meanwhile = await loansDb.db
        .selectFrom('loans')
        .select('status')
        .where('id', '=', loanId)
        .executeTakeFirstOrThrow();
      expect(meanwhile.status).toBe('APPROVED');
      await restart('ledger', 'loans');
      await expectDisbursedOnce(loanId, student);
      const published = await ledgerDb.db
        .selectFrom('outbox')
        .select('fanned_out_at')
        .where('aggregate_key', '=', loanId)
        .where('type', '=', 'tranche.released')
        .executeTakeFirstOrThrow();
      expect(published.fanned_out_at).not.toBeNull();
      expect(await appliedByLedger((await releaseRequest(loanId)).id)).toBe(1);
      expect(await transfersOfLoan(loanId, 'disbursement')).toHaveLength(1);
      expect(await releasedEvents(loanId)).toHaveLength(1);
      expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL);
    },
    RESTART_TEST_MS,
  );

  it(
    'kills loans after the ledger took a repayment but before loans recorded it: the retry takes the money once',
    async () => {
      const { student, walletId, loanId } = await disbursedLoan();
      const key = randomUUID();
      const repay = () =>
        platform.api('POST', `/loans/${loanId}/repayments`, {
          token: student.token,
          key,
          body: { amount: 400_000 },
        });
      const lock = await holdRowLock(platform.databaseUrl('ledger'), 'accounts', walletId);
      let lost: Awaited<ReturnType<typeof repay>>;
      try {
        const first = repay();
        // Should the request end before it reaches the lock, say how, rather than time out waiting.
        await Promise.race([
          lock.waitForWaiter(),
          first.then((early) => {
            throw new Error(`the repayment ended before the ledger waited: ${early.status} ${early.text}`);
          }),
        ]);
        await platform.stop('loans', 'SIGKILL');
        lost = await first;
      } finally {
        await lock.release();
      }
      // The client saw the edge's error, not a receipt; the ledger went on and moved the money.
      expect(lost.status).toBe(502);
      await waitFor(async () => (await transfersOfLoan(loanId, 'repayment')).length === 1, {
        timeoutMs: 20_000,
        what: 'the ledger to commit the repayment',
      });
      expect(
        await loansDb.db.selectFrom('repayments').select('id').where('loan_id', '=', loanId).execute(),
      ).toEqual([]);
      await restart('loans');
      // The same request again: answered 409 in progress until the dead claim's lease lapses, then applied
      // with the same ledger key, which the ledger replays instead of moving the money a second time.
      const receipt = await waitFor(
        async () => {
          const again = await repay();
          if (again.status === 409 && again.json?.code === 'idempotency_request_in_progress')
            return undefined;
          return again;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the retried repayment to be applied' },
      );
      expect(receipt.status, receipt.text).toBe(201);
      expect(receipt.json).toMatchObject({ outstanding: PRINCIPAL - 400_000, loanStatus: 'DISBURSED' });
      const transfers = await transfersOfLoan(loanId, 'repayment');
      expect(transfers).toHaveLength(1);
      expect(receipt.json.transferId).toBe(transfers[0]?.id);
      expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL - 400_000);
      const repayments = await platform.api('GET', `/loans/${loanId}/repayments`, { token: student.token });
      expect(repayments.json.items).toHaveLength(1);
      await expectBalancedBooks();
    },
    RESTART_TEST_MS,
  );

  describe('many copies of one request with one Idempotency-Key, at once through the edge', () => {
    const COPIES = 8;

    /** Every answer is the one effect (201, the same id) or "still in flight" (409). */
    function expectOneEffect(results: Array<{ status: number; json: any; text: string }>) {
      for (const result of results) {
        expect([201, 409], result.text).toContain(result.status);
        if (result.status === 409) expect(result.json.code).toBe('idempotency_request_in_progress');
      }
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
    }

    it('moves the money of a transfer once', async () => {
      const { student } = await disbursedLoan();
      const friend = await completeStudent(platform);
      const to = await platform.api('POST', '/accounts', { token: friend.token, body: { currency: 'MWK' } });
      expect(to.status, to.text).toBe(201);
      const from = await platform.api('GET', '/accounts', { token: student.token });
      const key = randomUUID();
      const body = {
        fromAccountId: from.json.items[0].id,
        toAccountId: to.json.id,
        amount: 12_345,
        currency: 'MWK',
      };
      const results = await Promise.all(
        Array.from({ length: COPIES }, () =>
          platform.api('POST', '/transfers', { token: student.token, key, body }),
        ),
      );
      expectOneEffect(results);
      expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL - 12_345);
      expect(await walletBalance(platform, friend.token)).toBe(12_345);
      const moved = await ledgerDb.db
        .selectFrom('transfers')
        .select('id')
        .where('idempotency_key', '=', key)
        .execute();
      expect(moved).toHaveLength(1);
    }, 60_000);

    it('takes a repayment once', async () => {
      const { student, loanId } = await disbursedLoan();
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: COPIES }, () =>
          platform.api('POST', `/loans/${loanId}/repayments`, {
            token: student.token,
            key,
            body: { amount: 250_000 },
          }),
        ),
      );
      expectOneEffect(results);
      expect(await walletBalance(platform, student.token)).toBe(PRINCIPAL - 250_000);
      expect(await transfersOfLoan(loanId, 'repayment')).toHaveLength(1);
      const repayments = await platform.api('GET', `/loans/${loanId}/repayments`, { token: student.token });
      expect(repayments.json.items).toHaveLength(1);
      const loan = await platform.api('GET', `/loans/${loanId}`, { token: student.token });
      expect(loan.json.outstanding).toBe(PRINCIPAL - 250_000);
    }, 60_000);
  });
});
