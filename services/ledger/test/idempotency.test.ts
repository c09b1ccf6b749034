import { createDatabase } from '@bonding/kit';
import { waitFor } from '@bonding/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDatabase } from '../src/db/schema.js';
import { createLedgerHarness, type LedgerHarness, newKey } from './harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  // A short lease, so a claim can be seen to outlive it.
  h = await createLedgerHarness({ IDEMPOTENCY_LEASE_MS: '1000' });
});
afterAll(() => h.close());

async function pair(balance = 10_000) {
  const alice = await h.newStudent();
  const bob = await h.newStudent();
  const from = await h.openWallet(alice.token);
  const to = await h.openWallet(bob.token);
  if (balance > 0) await h.deposit(from.id, balance);
  const body = (amount: number) => ({ fromAccountId: from.id, toAccountId: to.id, amount, currency: 'MWK' });
  const pay = (key: string | undefined, amount: number, token = alice.token) =>
    h.call('POST', '/api/v1/transfers', { token, ...(key ? { key } : {}), body: body(amount) });
  return { alice, bob, from, to, body, pay };
}

const transfersWithKey = async (key: string) =>
  h.deps.db.selectFrom('transfers').select('id').where('idempotency_key', '=', key).execute();

/** Holds a lock on an account row from another connection until released: requests touching it wait. */
async function holdAccountLock(accountId: string) {
  const other = createDatabase<LedgerDatabase>({ url: h.database.url, poolSize: 1 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = other.db.transaction().execute(async (trx) => {
    await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute();
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await done;
      await other.close();
    },
  };
}

async function recordOf(key: string) {
  return h.deps.db
    .selectFrom('idempotency_records')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

describe('Idempotency-Key on money-moving routes', () => {
  it('is required: 400 naming the header, and nothing moves', async () => {
    const { pay, from } = await pair();
    const missing = await pay(undefined, 5);
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({
      code: 'idempotency_key_required',
      errors: [{ field: 'header.idempotency-key' }],
    });
    const malformed = await pay('has spaces in it', 5);
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('idempotency_key_invalid');
    const tooLong = await pay('k'.repeat(256), 5);
    expect(tooLong.status).toBe(400);
    for (const path of ['/api/v1/deposits', '/api/v1/withdrawals']) {
      const response = await h.call('POST', path, {
        token: path.endsWith('deposits') ? h.tokens.admin : h.tokens.student,
        body: { accountId: from.id, amount: 1, currency: 'MWK' },
      });
      expect(response.status, path).toBe(400);
      expect(response.json.code).toBe('idempotency_key_required');
    }
    expect(await h.balanceOf(from.id)).toBe(10_000);
  });

  it('replays the first response for the same key and body, moving the money once', async () => {
    const { pay, from, to } = await pair();
    const key = newKey();
    const first = await pay(key, 1_234);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (let i = 0; i < 3; i++) {
      const again = await pay(key, 1_234);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('x-request-id')).toBeTruthy();
      expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    }
    expect(await h.balanceOf(from.id)).toBe(10_000 - 1_234);
    expect(await h.balanceOf(to.id)).toBe(1_234);
    expect(await transfersWithKey(key)).toHaveLength(1);
  });

  it('refuses the same key with another body, or on another route, with 409 idempotency_key_reused', async () => {
    const { pay, from } = await pair();
    const key = newKey();
    expect((await pay(key, 100)).status).toBe(201);
    const other = await pay(key, 101);
    expect(other.status).toBe(409);
    expect(other.json.code).toBe('idempotency_key_reused');
    const elsewhere = await h.call('POST', '/api/v1/withdrawals', {
      token: (await h.newStudent()).token,
      key,
      body: { accountId: from.id, amount: 100, currency: 'MWK' },
    });
    // Another caller: its own key space, so this is a new request (which it may not make: 404).
    expect(elsewhere.status).toBe(404);
    expect(await h.balanceOf(from.id)).toBe(9_900);
  });

  it('scopes keys to the caller: two users may use the same key', async () => {
    const one = await pair();
    const two = await pair();
    const key = 'shared-key-0001';
    expect((await one.pay(key, 10)).status).toBe(201);
    expect((await two.pay(key, 10)).status).toBe(201);
    expect(await transfersWithKey(key)).toHaveLength(2);
  });

  it('answers 409 idempotency_request_in_progress while the first request with the key still runs', async () => {
    const { pay, from, to } = await pair();
    const key = newKey();
    const lock = await holdAccountLock(to.id);
    const first = pay(key, 50);
    await waitFor(async () => (await recordOf(key))?.state === 'in_flight', { what: 'the claim' });
    const second = await pay(key, 50);
    expect(second.status).toBe(409);
    expect(second.json.code).toBe('idempotency_request_in_progress');
    expect(second.headers.get('retry-after')).toBe('1');
    // The same key with another body is refused as reused even while the first runs.
    expect((await pay(key, 51)).json.code).toBe('idempotency_key_reused');
    await lock.release();
    const done = await first;
    expect(done.status).toBe(201);
    const replay = await pay(key, 50);
    expect(replay.status).toBe(201);
    expect(replay.json.id).toBe(done.json.id);
    expect(await h.balanceOf(from.id)).toBe(9_950);
  });

  it('gives the key back after a refusal, so the same request can succeed once its cause is fixed', async () => {
    const { pay, from, to } = await pair(0);
    const key = newKey();
    const refused = await pay(key, 500);
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe('insufficient_funds');
    expect(await recordOf(key)).toBeUndefined();
    await h.deposit(from.id, 500);
    const paid = await pay(key, 500);
    expect(paid.status).toBe(201);
    expect(await h.balanceOf(to.id)).toBe(500);
  });

  it('lets exactly one of many concurrent identical requests move the money', async () => {
    const { pay, from } = await pair();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 12 }, () => pay(key, 77)));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
    for (const conflict of results.filter((r) => r.status === 409)) {
      expect(conflict.json.code).toBe('idempotency_request_in_progress');
    }
    expect(await transfersWithKey(key)).toHaveLength(1);
    expect(await h.balanceOf(from.id)).toBe(10_000 - 77);
  });

  it('never applies a key twice even when its record is gone: the transfers table holds the key too', async () => {
    const { pay, from } = await pair();
    const key = newKey();
    const first = await pay(key, 300);
    expect(first.status).toBe(201);
    // Purged (e.g. past retention) — or lost any other way.
    await h.deps.db.deleteFrom('idempotency_records').where('idempotency_key', '=', key).execute();
    const again = await pay(key, 300);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(await h.balanceOf(from.id)).toBe(9_700);
    await h.deps.db.deleteFrom('idempotency_records').where('idempotency_key', '=', key).execute();
    const different = await pay(key, 301);
    expect(different.status).toBe(409);
    expect(different.json.code).toBe('idempotency_key_reused');
    expect(await h.balanceOf(from.id)).toBe(9_700);
    expect(await transfersWithKey(key)).toHaveLength(1);
  });

  it('lets a retry take over a claim that outlived its lease, and then only one of the two commits', async () => {
    const { pay, from, to } = await pair();
    const key = newKey();
    const lock = await holdAccountLock(to.id);
    const slow = pay(key, 40);
    const claimed = await waitFor(async () => recordOf(key), { what: 'the first claim' });
    // The first holder looks dead once its lease (1 s) is over.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const retry = pay(key, 40);
    await waitFor(async () => (await recordOf(key))?.claim_token !== claimed.claim_token, {
      what: 'the takeover',
    });
    await lock.release();
    const results = await Promise.all([slow, retry]);
    expect(results.map((r) => r.status)).toEqual([409, 201]);
    expect(results[0]?.json.code).toBe('idempotency_request_in_progress');
    expect(await transfersWithKey(key)).toHaveLength(1);
    expect(await h.balanceOf(from.id)).toBe(9_960);
    const replay = await pay(key, 40);
    expect(replay.json.id).toBe(results[1]?.json.id);
  });

  it('records the response in the transfer’s own transaction: no record without money, no money without record', async () => {
    const { pay } = await pair();
    const key = newKey();
    const paid = await pay(key, 20);
    const row = await h.deps.db
      .selectFrom('idempotency_records')
      .innerJoin('transfers', (join) =>
        join
          .onRef('transfers.idempotency_key', '=', 'idempotency_records.idempotency_key')
          .onRef('transfers.initiator', '=', 'idempotency_records.scope'),
      )
      .select(['idempotency_records.state', 'idempotency_records.response_status', 'transfers.id'])
      .where('idempotency_records.idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'completed', response_status: 201, id: paid.json.id });
    const orphans = await sql<{ n: string }>`
      select count(*) as n from idempotency_records r
      where r.state = 'completed'
        and not exists (select 1 from transfers t where t.initiator = r.scope and t.idempotency_key = r.idempotency_key)
    `.execute(h.deps.db);
    expect(Number(orphans.rows[0]?.n)).toBe(0);
  });

  it('purges records past retention', async () => {
    const { pay } = await pair();
    const key = newKey();
    await pay(key, 1);
    expect(await recordOf(key)).toBeDefined();
    expect(await h.deps.idempotency.purge(new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await h.deps.idempotency.purge(new Date(Date.now() + 1_000))).toBeGreaterThan(0);
    expect(await recordOf(key)).toBeUndefined();
  });
});
