import { waitFor } from '@bonding/testing';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterRoutes,
  discardInboxDeadLetters,
  inboxDeadLetterCommand,
  listInboxDeadLetters,
  publishOutboxEvent,
  purgeEventTables,
  replayInboxDeadLetters,
  SIGNATURE_HEADER,
  signRequest,
} from '../../src/index.js';
import { createTestApp } from '../test-app.js';
import { directoryEntry } from './helpers.js';
import {
  connectTestNats,
  createJsConsumer,
  createJsProducer,
  deleteStream,
  type JsConsumer,
  type JsProducer,
  provision,
  streamMessages,
  testDeclaration,
} from './jetstream-helpers.js';

/** Bounds, not expectations: a loaded machine may take long; the tests never assert durations. */
const LONG = { timeoutMs: 60_000 };

/** Each user's effects, by user, in the order they were applied. */
function byUser(effects: Array<{ user_id: string; last_name: string }>): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const effect of effects)
    users.set(effect.user_id, [...(users.get(effect.user_id) ?? []), effect.last_name]);
  return users;
}

describe('JetStream: outbox → stream → inbox', () => {
  let nc: NatsConnection;
  let declaration: ReturnType<typeof testDeclaration>;
  let producer: JsProducer;
  let consumer: JsConsumer;
  let students: JsConsumer;

  beforeAll(async () => {
    nc = await connectTestNats();
    declaration = testDeclaration();
    await provision(nc, declaration);
    producer = await createJsProducer('js_producer', nc, declaration);
    consumer = await createJsConsumer('js_consumer', 'consumer', declaration);
    students = await createJsConsumer('js_students', 'students', declaration);
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await students?.close();
    await deleteStream(nc, declaration);
    await nc.close();
  });

  it('publishes committed events once: a re-publish with the same Nats-Msg-Id is dropped by the stream', async () => {
    const { id } = await producer.register();
    const publisher = producer.publisher();
    expect(await publisher.runOnce()).toMatchObject({ published: 1, failed: 0 });
    expect(await producer.unpublished()).toBe(0);
    const before = await streamMessages(nc, declaration);

    // A crash between the stream's acknowledgement and marking the row: the row is published again.
    const row = await producer.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const target = {
      js: jetstream(nc),
      stream: declaration.stream.name,
      prefix: declaration.settings.prefix,
      source: 'producer',
      timeoutMs: 2_000,
    };
    expect(await publishOutboxEvent(target, row)).toMatchObject({ duplicate: true });
    await producer.db.updateTable('outbox').set({ fanned_out_at: null }).where('id', '=', id).execute();
    expect(await publisher.runOnce()).toMatchObject({ published: 1 });
    expect(await streamMessages(nc, declaration)).toBe(before);

    await consumer.replica();
    const effects = await waitFor(async () => {
      const rows = (await consumer.effects()).filter((effect) => effect.event_id === id);
      return rows.length > 0 && rows;
    }, LONG);
    expect(effects).toHaveLength(1);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    const before = await streamMessages(nc, declaration);
    await producer.db
      .transaction()
      .execute(async (trx) => {
        const { emitEvent } = await import('../../src/index.js');
        await emitEvent(trx, { type: 'user.registered', version: 1, data: directoryEntry() });
        throw new Error('rolled back on purpose');
      })
      .catch(() => undefined);
    expect(await producer.publisher().runOnce()).toMatchObject({ published: 0 });
    expect(await streamMessages(nc, declaration)).toBe(before);
  });

  it('applies every aggregate in order with two replicas sharing the durables, each event once', async () => {
    await consumer.replica(); // a second replica of `consumer` (the first started above)
    const publisher = producer.publisher();
    publisher.start();
    const users = Array.from({ length: 12 }, () => directoryEntry());
    const ids: string[] = [];
    // Interleaved: every user's registration, then each user's updates V1..V5, round by round.
    for (const user of users) ids.push((await producer.register(user)).id);
    for (let version = 1; version <= 5; version++) {
      for (const user of users) ids.push(await producer.update({ ...user, lastName: `V${version}` }));
    }
    await waitFor(
      async () => {
        const applied = new Set((await consumer.effects()).map((effect) => effect.event_id));
        return ids.every((id) => applied.has(id));
      },
      { ...LONG, what: 'every event applied' },
    );
    const effects = (await consumer.effects()).filter((effect) => ids.includes(effect.event_id));
    expect(effects).toHaveLength(ids.length);
    for (const user of users) {
      expect(byUser(effects).get(user.userId)).toEqual([user.lastName, 'V1', 'V2', 'V3', 'V4', 'V5']);
    }
    // Both replicas took part (not a timing assertion: with 16 partitions and 72 events both pull).
    // Both replicas applied some: each partition's durable hands its events to whichever replica's pull is
    // waiting, and both always have one waiting on every partition.
    expect(new Set(effects.map((effect) => effect.consumer))).toEqual(new Set(['r1', 'r2']));
    await publisher.stop();
  });

  it('applies a data filter on the consumer: students gets only updates of students', async () => {
    const publisher = producer.publisher();
    publisher.start();
    await students.replica();
    const student = directoryEntry({ role: 'student' });
    const agent = directoryEntry({ role: 'agent' });
    await producer.register(student);
    const skipped = await producer.update({ ...agent, lastName: 'AGENT' });
    const applied = await producer.update({ ...student, lastName: 'STUDENT' });
    await waitFor(async () => (await students.effects()).some((effect) => effect.event_id === applied), LONG);
    // The agent's update came first in its partition or another; either way it was acked and skipped.
    const effects = await students.effects();
    expect(effects.map((effect) => effect.event_id)).not.toContain(skipped);
    // Its handlers cover every version of the type it subscribes to: no warning about one without.
    expect(students.logs.some((line) => /without a handler/.test(String(line.msg)))).toBe(false);
    expect(effects.filter((effect) => effect.type === 'user.registered')).toEqual([]);
    await publisher.stop();
  });

  it('dead-letters a poison event after max_deliver, parks its aggregate, lets others pass, and replays in order', async () => {
    const publisher = producer.publisher();
    publisher.start();
    const victim = directoryEntry();
    await producer.register(victim);
    await waitFor(
      async () => (await consumer.effects()).some((effect) => effect.user_id === victim.userId),
      LONG,
    );

    consumer.poisoned.add('POISON');
    const poison = await producer.update({ ...victim, lastName: 'POISON' });
    const later1 = await producer.update({ ...victim, lastName: 'AFTER1' });
    // Another user, published after the poison: goes on while the victim waits.
    const bystander = directoryEntry();
    const other = await producer.register(bystander);
    const later2 = await producer.update({ ...victim, lastName: 'AFTER2' });

    await waitFor(
      async () => {
        const letters = await consumer.letters();
        return letters.filter((letter) => [poison, later1, later2].includes(letter.event_id)).length === 3;
      },
      { ...LONG, what: 'the dead letter and two parked events' },
    );
    const letters = (await consumer.letters()).filter((letter) => letter.aggregate_key === victim.userId);
    expect(letters.map((letter) => [letter.event_id, letter.status])).toEqual([
      [poison, 'dead'],
      [later1, 'parked'],
      [later2, 'parked'],
    ]);
    expect(letters[0]?.deliveries).toBe(3);
    expect(letters[0]?.reason).toMatch(/gave up after 3 attempts: poisoned: POISON/);
    await waitFor(
      async () => (await consumer.effects()).some((effect) => effect.event_id === other.id),
      LONG,
    );
    // The gauges an operator alerts on: the dead letter and the two events parked behind it.
    await waitFor(async () => {
      const text = await consumer.registry.metrics();
      return (
        text.includes('inbox_dead_letters{type="user.updated",status="dead"} 1') &&
        text.includes('inbox_dead_letters{type="user.updated",status="parked"} 2') &&
        /jetstream_consumer_pending\{durable="consumer-p\d\d"\} \d+/.test(text)
      );
    }, LONG);
    const applied = (await consumer.effects()).filter((effect) => effect.user_id === victim.userId);
    expect(applied.map((effect) => effect.last_name)).toEqual([victim.lastName]);

    // The operator sees it (without the data), fixes the bug, and replays it.
    const listed = await listInboxDeadLetters(consumer.db, { limit: 10, consumer: 'consumer' });
    expect(listed.map((letter) => letter.status)).toEqual(['dead', 'parked', 'parked']);
    expect(JSON.stringify(listed)).not.toContain(victim.email);
    // A replay before the fix fails again and stays dead, still blocking.
    expect(await replayInboxDeadLetters(consumer.db, { ids: [listed[0]?.id as string] })).toBe(1);
    await waitFor(async () => {
      const head = (await consumer.letters()).find((letter) => letter.event_id === poison);
      return head?.status === 'dead' && /replay failed/.test(head.reason ?? '');
    }, LONG);
    consumer.poisoned.delete('POISON');
    expect(await replayInboxDeadLetters(consumer.db, { all: true, filter: { consumer: 'consumer' } })).toBe(
      1,
    );
    await waitFor(
      async () =>
        (await consumer.effects()).filter((effect) => effect.user_id === victim.userId).length === 4 &&
        (await consumer.db.selectFrom('inbox_blocked_aggregates').selectAll().execute()).length === 0,
      { ...LONG, what: 'the replayed events applied and the aggregate unblocked' },
    );
    const after = (await consumer.effects()).filter((effect) => effect.user_id === victim.userId);
    expect(after.map((effect) => effect.last_name)).toEqual([victim.lastName, 'POISON', 'AFTER1', 'AFTER2']);
    expect(
      (await consumer.letters()).filter((l) => l.aggregate_key === victim.userId).map((l) => l.status),
    ).toEqual(['replayed', 'replayed', 'replayed']);

    // Unblocked: the victim's next event applies directly.
    const next = await producer.update({ ...victim, lastName: 'NEXT' });
    await waitFor(async () => (await consumer.effects()).some((effect) => effect.event_id === next), LONG);
    const { rows } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM inbox WHERE event_id IN (${sql.join([
      poison,
      later1,
      later2,
      next,
    ])})`.execute(consumer.db);
    expect(Number(rows[0]?.n)).toBe(4);
    await publisher.stop();
  });
  it('discards a dead letter (its parked events then apply in order) and purges resolved letters later', async () => {
    const publisher = producer.publisher();
    publisher.start();
    const victim = directoryEntry();
    await producer.register(victim);
    consumer.poisoned.add('DISCARD-ME');
    const poison = await producer.update({ ...victim, lastName: 'DISCARD-ME' });
    const later = await producer.update({ ...victim, lastName: 'KEPT' });
    const dead = await waitFor(async () => {
      const letters = await consumer.letters();
      const head = letters.find((letter) => letter.event_id === poison && letter.status === 'dead');
      return (
        head && letters.some((letter) => letter.event_id === later && letter.status === 'parked') && head
      );
    }, LONG);
    // Through the operator's command, as a service's src/dead-letters.ts will run it.
    const lines: string[] = [];
    const run = (...argv: string[]) =>
      inboxDeadLetterCommand(consumer.db, 'consumer', argv, (line) => lines.push(line));
    expect(await run('list')).toBe(0);
    expect(lines.find((line) => line.startsWith(`#${dead.id}  dead  user.updated@1`))).toMatch(
      /after 3 delivery\(ies\).*gave up after 3 attempts: poisoned: DISCARD-ME/,
    );
    expect(lines.some((line) => line.includes(later) && line.includes('parked'))).toBe(true);
    expect(lines.join('\n')).not.toContain(victim.email);
    // And through the signed routes a service mounts on its own dead letters.
    const secret = 'the-consumer-internal-secret-0123456789';
    const { app } = createTestApp();
    app.route('/internal', deadLetterRoutes({ db: consumer.db, service: 'consumer', secrets: [secret] }));
    const call = (method: string, path: string, body = '', signed = true) =>
      app.request(path, {
        method,
        ...(body ? { body } : {}),
        headers: {
          'content-type': 'application/json',
          ...(signed ? { [SIGNATURE_HEADER]: signRequest(secret, { method, path, body }) } : {}),
        },
      });
    expect((await call('GET', '/internal/dead-letters', '', false)).status).toBe(401);
    const page = await call('GET', '/internal/dead-letters?type=user.updated&limit=50');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).not.toContain(victim.email);
    const items = (JSON.parse(text) as { items: Array<{ id: string; status: string; eventId: string }> })
      .items;
    expect(items.find((item) => item.id === String(dead.id))).toMatchObject({
      status: 'dead',
      eventId: poison,
    });
    expect(items.find((item) => item.eventId === later)).toMatchObject({ status: 'parked' });
    expect((await call('POST', '/internal/dead-letters/999999999/discard')).status).toBe(404);
    expect((await call('POST', '/internal/dead-letters/replay', '{"type":"no.such"}')).status).toBe(200);

    expect(await run('discard')).toBe(2);
    expect(await run('discard', 'x1')).toBe(2);
    expect(await run('replay', '--all', String(dead.id))).toBe(2);
    expect(await run('discard', String(dead.id))).toBe(0);
    expect(lines.at(-1)).toMatch(/^1 dead letter\(s\) discarded/);
    expect(await discardInboxDeadLetters(consumer.db, [String(dead.id)])).toBe(0);
    await waitFor(async () => (await consumer.effects()).some((effect) => effect.event_id === later), LONG);
    const applied = (await consumer.effects()).filter((effect) => effect.user_id === victim.userId);
    expect(applied.map((effect) => effect.last_name)).toEqual([victim.lastName, 'KEPT']);
    consumer.poisoned.delete('DISCARD-ME');

    // Resolved letters stay for the retention, then go; nothing unresolved is touched.
    const purge = async () =>
      (
        await purgeEventTables(consumer.db, {
          outboxRetentionMs: 0,
          inboxRetentionMs: 60_000,
          deadLetters: true,
        })
      ).deadLetters;
    expect(await purge()).toBe(0);
    await consumer.db
      .updateTable('inbox_dead_letters')
      .set({ updated_at: new Date(Date.now() - 120_000) })
      .where('aggregate_key', '=', victim.userId)
      .execute();
    expect(await purge()).toBe(2);
    expect((await consumer.letters()).filter((letter) => letter.aggregate_key === victim.userId)).toEqual([]);
    await publisher.stop();
  });
});
