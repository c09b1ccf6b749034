import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent, InvalidEvent, purgeEventTables } from '../../src/index.js';
import { createProducer, directoryEntry, type Producer } from './helpers.js';

let producer: Producer;
beforeAll(async () => {
  producer = await createProducer('kit_outbox');
});
afterAll(() => producer.close());

async function outboxRow(id: string) {
  return producer.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
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

describe('the purge', () => {
  it('removes published events past retention, and nothing newer or unpublished', async () => {
    const published = await producer.register();
    const unpublished = await producer.register();
    // What the outbox publisher marks once the stream has acknowledged the event.
    await producer.db
      .updateTable('outbox')
      .set({ fanned_out_at: new Date() })
      .where('id', '=', published.id)
      .execute();

    await purgeEventTables(producer.db, { outboxRetentionMs: 3_600_000, inboxRetentionMs: 3_600_000 });
    expect(await outboxRow(published.id)).toBeDefined();
    const purged = await purgeEventTables(producer.db, { outboxRetentionMs: 0, inboxRetentionMs: 0 });
    expect(purged.events).toBeGreaterThan(0);
    expect(await outboxRow(published.id)).toBeUndefined();
    expect(await outboxRow(unpublished.id)).toBeDefined();
  });
});
