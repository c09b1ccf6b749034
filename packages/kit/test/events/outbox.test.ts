import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries, markDead, markDelivered } from '../../src/events/deliveries.js';
import { fanOutEvents } from '../../src/events/fan-out.js';
import { emitEvent, InvalidEvent, purgeEventTables, type Subscriber } from '../../src/index.js';
import { createProducer, directoryEntry, type Producer } from './helpers.js';

let producer: Producer;
beforeAll(async () => {
  producer = await createProducer('kit_outbox');
});
afterAll(() => producer.close());

const users: Subscriber = { name: 'users', url: 'http://127.0.0.1:1', patterns: ['user.*'] };
const loans: Subscriber = {
  name: 'loans',
  url: 'http://127.0.0.1:1',
  patterns: ['loan.*', 'transfer.completed'],
};
const lock = () => `bonding_outbox:${producer.database.name}`;
const LEASE_MS = 60_000;

async function outboxRow(id: string) {
  return producer.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks everything pending as delivered, so each test starts from an empty queue. */
async function settleEverything() {
  await fanOutEvents(producer.db, lock(), [users, loans]);
  await producer.db
    .updateTable('outbox_deliveries')
    .set({ status: 'delivered' })
    .where('status', '=', 'pending')
    .execute();
}

describe('emitEvent', () => {
  it('writes the event with the state change when the transaction commits', async () => {
    const data = directoryEntry();
    const { id } = await producer.register(data);
    const row = await outboxRow(id);
    expect(row).toMatchObject({ type: 'user.registered', version: 1, aggregate_key: data.userId });
    expect(JSON.parse(row?.payload ?? '{}')).toEqual(data);
    // Tracing is off in this process: nothing to carry.
    expect(row?.traceparent).toBeNull();
  });

  it('leaves no trace of an event whose transaction rolled back', async () => {
    const { id } = await producer.register(directoryEntry(), { rollback: true });
    expect(id).not.toBe('');
    expect(await outboxRow(id)).toBeUndefined();
  });

  it('refuses data that breaks the contract, naming the field but not its value', async () => {
    const before = await producer.db
      .selectFrom('outbox')
      .select(sql<string>`COUNT(*)`.as('n'))
      .executeTakeFirst();
    const attempt = producer.db.transaction().execute((trx) =>
      emitEvent(trx, {
        type: 'user.registered',
        version: 1,
        data: { ...directoryEntry(), email: 'not-an-address', passwordHash: 'secret-hash' } as never,
      }),
    );
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toThrow(
      /user\.registered@1 does not match its contract: email: .*unrecognized/i,
    );
    await expect(attempt).rejects.not.toThrow(/not-an-address|secret-hash/);
    const after = await producer.db
      .selectFrom('outbox')
      .select(sql<string>`COUNT(*)`.as('n'))
      .executeTakeFirst();
    expect(after).toEqual(before);
  });

  it('refuses an event version that has no contract, and a call outside a transaction', async () => {
    await expect(
      producer.db
        .transaction()
        .execute((trx) =>
          emitEvent(trx, { type: 'user.registered', version: 7, data: directoryEntry() } as never),
        ),
    ).rejects.toThrow(/no contract for user\.registered@7/);
    await expect(
      emitEvent(producer.db as never, { type: 'user.registered', version: 1, data: directoryEntry() }),
    ).rejects.toThrow(/needs the transaction/);
  });
});

describe('fan-out', () => {
  it('creates one delivery per subscriber of the type, and none for others', async () => {
    await settleEverything();
    const registered = await producer.register();
    const approved = await producer.db.transaction().execute((trx) =>
      emitEvent(trx, {
        type: 'loan.approved',
        version: 1,
        data: {
          loanId: '01900000-0000-7000-8000-000000000101',
          studentId: '01900000-0000-7000-8000-000000000102',
          approvedBy: '01900000-0000-7000-8000-000000000103',
          principal: { amountMinor: '5000000', currency: 'MWK' },
        },
      }),
    );
    expect(await fanOutEvents(producer.db, lock(), [users, loans])).toBe(2);
    expect((await producer.deliveries(registered.id)).map((d) => d.subscriber)).toEqual(['users']);
    expect((await producer.deliveries(approved.id)).map((d) => d.subscriber)).toEqual(['loans']);
    // Nothing left to fan out; a second pass is a no-op.
    expect(await fanOutEvents(producer.db, lock(), [users, loans])).toBe(0);
  });

  it('gives a subscriber with a filter only the events whose data matches it', async () => {
    await settleEverything();
    const disbursements: Subscriber = {
      name: 'disbursements',
      url: 'http://127.0.0.1:1',
      patterns: ['transfer.completed?purpose=disbursement'],
    };
    const transfer = (purpose: 'disbursement' | 'transfer', n: number) =>
      producer.db.transaction().execute((trx) =>
        emitEvent(trx, {
          type: 'transfer.completed',
          version: 1,
          data: {
            transferId: `01900000-0000-7000-8000-00000000020${n}`,
            purpose,
            loanId: purpose === 'disbursement' ? '01900000-0000-7000-8000-000000000101' : null,
            fromAccountId: '01900000-0000-7000-8000-000000000301',
            toAccountId: '01900000-0000-7000-8000-000000000302',
            fromUserId: null,
            toUserId: '01900000-0000-7000-8000-000000000102',
            amount: { amountMinor: '100', currency: 'MWK' },
          },
        }),
      );
    const disbursed = await transfer('disbursement', 1);
    const paid = await transfer('transfer', 2);
    expect(await fanOutEvents(producer.db, lock(), [loans, disbursements])).toBe(2);
    expect((await producer.deliveries(disbursed.id)).map((d) => d.subscriber).sort()).toEqual([
      'disbursements',
      'loans',
    ]);
    expect((await producer.deliveries(paid.id)).map((d) => d.subscriber)).toEqual(['loans']);
  });

  it('marks events nobody subscribes to as done, with no deliveries', async () => {
    const lonely = await producer.register();
    await fanOutEvents(producer.db, lock(), []);
    expect((await outboxRow(lonely.id))?.fanned_out_at).toBeInstanceOf(Date);
    expect(await producer.deliveries(lonely.id)).toEqual([]);
  });
});

describe('claiming deliveries', () => {
  it('hands out only the oldest pending event of each aggregate, so a subscriber gets them in order', async () => {
    await settleEverything();
    const alice = directoryEntry();
    const first = await producer.register(alice);
    const second = await producer.update({ ...alice, firstName: 'Alice2' });
    const bob = await producer.register();
    await fanOutEvents(producer.db, lock(), [users]);

    const round1 = await claimDeliveries(producer.db, 'users', 10, LEASE_MS);
    expect(round1.map((d) => d.event.id)).toEqual([first.id, bob.id]);
    // While alice's first event is out (leased) or backing off, her second waits.
    expect(await claimDeliveries(producer.db, 'users', 10, LEASE_MS)).toEqual([]);
    await markDelivered(producer.db, round1[0] as never);
    const round2 = await claimDeliveries(producer.db, 'users', 10, LEASE_MS);
    expect(round2.map((d) => d.event.id)).toEqual([second]);
    expect(round2[0]?.attempts).toBe(1);
  });

  it('gives concurrent claimers disjoint deliveries', async () => {
    await settleEverything();
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add((await producer.register()).id);
    await fanOutEvents(producer.db, lock(), [users]);
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => claimDeliveries(producer.db, 'users', 8, LEASE_MS)),
    );
    const claimed = claims.flat().map((d) => d.event.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.every((id) => ids.has(id))).toBe(true);
  });

  it('skips a row another replica holds locked instead of waiting for it', async () => {
    await settleEverything();
    const held = await producer.register();
    const free = await producer.register();
    await fanOutEvents(producer.db, lock(), [users]);
    const heldId = (await producer.deliveries(held.id))[0]?.id as string;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // Another replica, mid-claim, holding the row lock of the first delivery.
    const holder = producer.db.transaction().execute(async (trx) => {
      await trx.selectFrom('outbox_deliveries').select('id').where('id', '=', heldId).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    const started = performance.now();
    const claimed = await claimDeliveries(producer.db, 'users', 1, LEASE_MS);
    const waitedMs = performance.now() - started;
    release();
    await holder;
    expect(claimed.map((d) => d.event.id)).toEqual([free.id]);
    expect(waitedMs).toBeLessThan(1_000);
  });

  it('ignores an outcome reported after the lease was lost (fencing by attempt count)', async () => {
    await settleEverything();
    const { id } = await producer.register();
    await fanOutEvents(producer.db, lock(), [users]);
    const [claimed] = await claimDeliveries(producer.db, 'users', 1, 0);
    // The lease (0 ms) lapsed; another relay claims it again.
    const [reclaimed] = await claimDeliveries(producer.db, 'users', 1, LEASE_MS);
    expect(reclaimed?.event.id).toBe(id);
    await markDead(producer.db, claimed as never, 'late outcome of the first relay');
    expect((await producer.deliveries(id))[0]).toMatchObject({ status: 'pending', attempts: 2 });
  });
});

describe('the purge', () => {
  it('removes delivered deliveries and their events past retention, and nothing newer', async () => {
    await settleEverything();
    const { id } = await producer.register();
    await fanOutEvents(producer.db, lock(), [users]);
    const [claimed] = await claimDeliveries(producer.db, 'users', 1, LEASE_MS);
    await markDelivered(producer.db, claimed as never);

    await purgeEventTables(producer.db, { outboxRetentionMs: 3_600_000, inboxRetentionMs: 3_600_000 });
    expect(await outboxRow(id)).toBeDefined();
    const purged = await purgeEventTables(producer.db, { outboxRetentionMs: 0, inboxRetentionMs: 0 });
    expect(purged.deliveries).toBeGreaterThan(0);
    expect(purged.events).toBeGreaterThan(0);
    expect(await outboxRow(id)).toBeUndefined();
    expect(await producer.deliveries(id)).toEqual([]);
    const { n } = await producer.db
      .selectFrom('outbox_deliveries')
      .select(sql<string>`COUNT(*)`.as('n'))
      .where('status', '=', 'delivered')
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });
});
