import { randomUUID } from 'node:crypto';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutEvents } from '../../src/events/fan-out.js';
import {
  createLogger,
  createServiceApp,
  deadLetterCommand,
  deadLetterRoutes,
  purgeEventTables,
  type RunningServer,
  SIGNATURE_HEADER,
  signedFetch,
  signRequest,
  startServer,
} from '../../src/index.js';
import {
  CONSUMER_SECRET,
  type Consumer,
  createConsumer,
  createProducer,
  directoryEntry,
  type Producer,
} from './helpers.js';

const PRODUCER_SECRET = 'producer-internal-secret-for-these-tests-01';

let producer: Producer;
let consumer: Consumer;
let internal: RunningServer;
beforeAll(async () => {
  [producer, consumer] = await Promise.all([
    createProducer('kit_delivery'),
    createConsumer('kit_delivery_c'),
  ]);
  // The producer's own internal routes, served for real: dead letters are listed and replayed over HTTP.
  const logger = createLogger({ service: 'producer', level: 'silent' });
  const { app, health } = createServiceApp({
    name: 'producer',
    version: '0',
    description: 'test producer',
    logger,
    metrics: producer.metrics,
  });
  app.route('/internal', deadLetterRoutes({ db: producer.db, secrets: [PRODUCER_SECRET] }));
  internal = await startServer({ app, health, logger, host: '127.0.0.1', port: 0, shutdownTimeoutMs: 1000 });
});
afterAll(async () => {
  await internal?.shutdown();
  await Promise.all([producer?.close(), consumer?.close()]);
});

const deliveredTo = async (eventId: string) => (await producer.deliveries(eventId))[0];

describe('delivery to a real consumer process', () => {
  it('delivers an event whose transaction committed, and never one that rolled back', async () => {
    const relay = producer.relay([consumer.subscriber()]);
    const rolledBack = await producer.register(directoryEntry(), { rollback: true });
    const committed = await producer.register();
    relay.start();
    await waitFor(async () => (await consumer.effects(committed.id)).length === 1, { what: 'the delivery' });
    await relay.stop();
    expect(await deliveredTo(committed.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await producer.deliveries(rolledBack.id)).toEqual([]);
    expect(await consumer.arrivals(rolledBack.id)).toEqual([]);
  });

  it('keeps retrying while the consumer is down and delivers once it is back', async () => {
    await consumer.stop();
    const relay = producer.relay([consumer.subscriber()]);
    relay.start();
    try {
      const { id } = await producer.register();
      const failing = await waitFor(
        async () => {
          const delivery = await deliveredTo(id);
          return delivery && delivery.attempts >= 2 ? delivery : undefined;
        },
        { what: 'failed attempts' },
      );
      expect(failing).toMatchObject({ status: 'pending' });
      expect(failing.last_error).toMatch(/^network: ECONNREFUSED/);
      await consumer.restart();
      await waitFor(async () => (await consumer.effects(id)).length === 1, { what: 'the late delivery' });
      await waitFor(async () => (await deliveredTo(id))?.status === 'delivered', { what: 'the outcome' });
    } finally {
      await relay.stop();
    }
  });

  it("delivers an aggregate's events in order, even when one needs a retry", async () => {
    const relay = producer.relay([consumer.subscriber()]);
    const user = directoryEntry({ lastName: 'Flaky', firstName: 'v0' });
    const ids = [(await producer.register(user)).id];
    for (let version = 1; version <= 4; version++) {
      ids.push(await producer.update({ ...user, lastName: 'Banda', firstName: `v${version}` }));
    }
    relay.start();
    try {
      await waitFor(
        async () => (await consumer.effects()).filter((e) => e.user_id === user.userId).length === 5,
        {
          what: 'all five events',
        },
      );
    } finally {
      await relay.stop();
    }
    const effects = (await consumer.effects()).filter((e) => e.user_id === user.userId);
    expect(effects.map((e) => e.first_name)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    // The first arrived twice (failed once); none of the later ones overtook it.
    expect((await consumer.arrivals(ids[0] as string)).map((a) => a.status)).toEqual([500, 200]);
    const firstSuccess = (await consumer.arrivals(ids[0] as string))[1]?.started_at as Date;
    for (const id of ids.slice(1)) {
      expect((await consumer.arrivals(id))[0]?.started_at.getTime()).toBeGreaterThanOrEqual(
        firstSuccess.getTime(),
      );
    }
  });

  it('dead-letters a poison event after the last attempt; it is listed, and delivered when replayed', async () => {
    const relay = producer.relay([consumer.subscriber()], { maxAttempts: 3 });
    const { id } = await producer.register(directoryEntry({ lastName: 'Poison' }));
    relay.start();
    try {
      const dead = await waitFor(
        async () => ((await deliveredTo(id))?.status === 'dead' ? deliveredTo(id) : undefined),
        {
          what: 'the dead letter',
        },
      );
      expect(dead).toMatchObject({ attempts: 3 });
      expect(dead?.last_error).toMatch(/^gave up after 3 attempts: HTTP 500 event_handler_failed/);
      expect(await consumer.effects(id)).toEqual([]);

      // Listed over the signed internal endpoint...
      const listed = await signedFetch(
        `${internal.port ? `http://127.0.0.1:${internal.port}` : ''}/internal/dead-letters?type=user.registered&limit=100`,
        {
          secret: PRODUCER_SECRET,
        },
      );
      expect(listed.status).toBe(200);
      const page = (await listed.json()) as { items: { id: string; eventId: string; reason: string }[] };
      const letter = page.items.find((item) => item.eventId === id);
      expect(letter).toMatchObject({ subscriber: 'consumer', attempts: 3 });
      // ...and refused without a signature.
      expect((await fetch(`http://127.0.0.1:${internal.port}/internal/dead-letters`)).status).toBe(401);
      // ...and by the CLI.
      const lines: string[] = [];
      await deadLetterCommand(producer.db, ['list', '--type', 'user.registered'], (line) => lines.push(line));
      expect(lines.some((line) => line.includes(id) && line.includes('gave up after 3 attempts'))).toBe(true);

      // The metrics saw it.
      const metrics = await producer.metrics.registry.metrics();
      expect(metrics).toMatch(
        /outbox_dead_lettered_total\{type="user.registered",subscriber="consumer"[^}]*\} [1-9]/,
      );
      expect(metrics).toMatch(
        /outbox_delivery_failures_total\{type="user.registered",subscriber="consumer",kind="server"[^}]*\} [1-9]/,
      );
      await waitFor(
        async () =>
          /outbox_dead_letters\{[^}]*subscriber="consumer"[^}]*\} [1-9]/.test(
            await producer.metrics.registry.metrics(),
          ),
        {
          what: 'the dead-letter gauge',
        },
      );

      // The consumer is fixed; an operator replays the dead letter.
      await consumer.db.insertInto('cures').values({ last_name: 'Poison' }).execute();
      const replayed = await signedFetch(
        `http://127.0.0.1:${internal.port}/internal/dead-letters/${letter?.id}/replay`,
        {
          method: 'POST',
          secret: PRODUCER_SECRET,
        },
      );
      expect(replayed.status).toBe(200);
      expect(await replayed.json()).toEqual({ replayed: 1 });
      await waitFor(async () => (await consumer.effects(id)).length === 1, { what: 'the replayed delivery' });
      await waitFor(async () => (await deliveredTo(id))?.status === 'delivered', { what: 'the outcome' });
      const again = await signedFetch(
        `http://127.0.0.1:${internal.port}/internal/dead-letters/${letter?.id}/replay`,
        {
          method: 'POST',
          secret: PRODUCER_SECRET,
        },
      );
      expect(again.status).toBe(404);
    } finally {
      await relay.stop();
      await consumer.db.deleteFrom('cures').execute();
    }
  });

  it('dead-letters an event version the consumer does not handle at once, with its reason', async () => {
    const relay = producer.relay([consumer.subscriber()]);
    // A producer a version ahead of this consumer: written as its newer code would.
    const id = randomUUID();
    await producer.db
      .insertInto('outbox')
      .values({
        id,
        type: 'user.registered',
        version: 2,
        aggregate_key: randomUUID(),
        payload: JSON.stringify({ ...directoryEntry(), pronouns: 'she/her' }),
        occurred_at: new Date(),
        traceparent: null,
        tracestate: null,
        fanned_out_at: null,
        created_at: new Date(),
      })
      .execute();
    relay.start();
    try {
      const dead = await waitFor(
        async () => ((await deliveredTo(id))?.status === 'dead' ? deliveredTo(id) : undefined),
        {
          what: 'the dead letter',
        },
      );
      expect(dead).toMatchObject({ attempts: 1 });
      expect(dead?.last_error).toBe(
        'refused by consumer: HTTP 422 unsupported_event_version: This service handles user.registered version 1, not version 2.',
      );
    } finally {
      await relay.stop();
    }
  });

  it('refuses forged and stale deliveries over HTTP with 401, storing nothing', async () => {
    const event = {
      id: randomUUID(),
      type: 'user.registered',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'producer',
      data: directoryEntry(),
    };
    const body = JSON.stringify(event);
    const request = { method: 'POST', path: '/internal/events', body };
    for (const signature of [
      signRequest('a-forged-secret-nobody-was-ever-given-00', request),
      signRequest(CONSUMER_SECRET, request, Date.now() - 10 * 60_000),
    ]) {
      const response = await fetch(`${consumer.url}/internal/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature },
        body,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await consumer.effects(event.id)).toEqual([]);
    expect(
      await consumer.db.selectFrom('inbox').select('event_id').where('event_id', '=', event.id).execute(),
    ).toEqual([]);
    expect((await consumer.arrivals(event.id)).map((a) => a.status)).toEqual([401, 401]);
  });

  it('never delivers a row twice when two relays share one outbox', async () => {
    const subscriber = consumer.subscriber();
    const relays = [
      producer.relay([subscriber], { concurrency: 6 }),
      producer.relay([subscriber], { concurrency: 6 }),
    ];
    const ids: string[] = [];
    const users = Array.from({ length: 15 }, () => directoryEntry());
    for (let round = 0; round < 4; round++) {
      for (const user of users)
        ids.push(
          round === 0
            ? (await producer.register(user)).id
            : await producer.update({ ...user, firstName: `r${round}` }),
        );
    }
    for (const relay of relays) relay.start();
    try {
      await waitFor(
        async () => {
          const statuses = await Promise.all(ids.map(async (id) => (await deliveredTo(id))?.status));
          return statuses.every((status) => status === 'delivered');
        },
        { timeoutMs: 20_000, what: 'all 60 deliveries' },
      );
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
    const arrivals = await consumer.db
      .selectFrom('arrivals')
      .select(['event_id'])
      .where('event_id', 'in', ids)
      .execute();
    expect(arrivals).toHaveLength(ids.length);
    expect(new Set(arrivals.map((a) => a.event_id)).size).toBe(ids.length);
    // Both relays took part.
    const byRelay = new Set(
      producer.logLines
        .filter((l) => l.msg === 'event delivered' && ids.includes(l.eventId))
        .map((l) => l.relay),
    );
    expect(byRelay.size).toBe(2);
    // Each user's four events arrived in order.
    for (const user of users) {
      const effects = (await consumer.effects()).filter((e) => e.user_id === user.userId);
      expect(effects.map((e) => e.first_name)).toEqual([user.firstName, 'r1', 'r2', 'r3']);
    }
  });

  it('lets a slow subscriber hold only its own deliveries', async () => {
    const slow = await createConsumer('kit_delivery_slow', { delayMs: 30_000 });
    try {
      const relay = producer.relay([consumer.subscriber('fast'), slow.subscriber('slow')], {
        deliveryTimeoutMs: 8_000,
        concurrency: 4,
      });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await producer.register()).id);
      relay.start();
      try {
        await waitFor(
          async () => (await Promise.all(ids.map((id) => consumer.effects(id)))).every((e) => e.length === 1),
          {
            what: 'the fast subscriber to get everything',
          },
        );
        // The fast one got everything while the slow one's first attempts were still hanging: not one
        // had reached its 8 s timeout. Without the per-subscriber cap the slow one fills every slot, so
        // the fast one gets its turn only as slow attempts time out (and fail this). No wall-clock
        // assertion: a loaded machine is slow, but not 8 s per delivery slow.
        const slowDeliveries = await producer.db
          .selectFrom('outbox_deliveries')
          .select(['status', 'last_error'])
          .where('subscriber', '=', 'slow')
          .where('event_id', 'in', ids)
          .execute();
        expect(slowDeliveries.every((d) => d.status === 'pending' && d.last_error === null)).toBe(true);
        // What frees the slow one's slots: its attempts are cut at the delivery timeout, and retried later.
        await waitFor(
          () =>
            producer.db
              .selectFrom('outbox_deliveries')
              .select('last_error')
              .where('subscriber', '=', 'slow')
              .where('last_error', '=', 'no answer within 8000 ms')
              .executeTakeFirst(),
          { what: 'a timed-out attempt' },
        );
      } finally {
        // Cut the slow deliveries still in flight instead of waiting out their timeouts.
        await relay.stop(100);
      }
    } finally {
      await slow.close();
    }
  });

  it('purges delivered events after the retention period, keeping the undelivered', async () => {
    const relay = producer.relay([consumer.subscriber()]);
    const { id } = await producer.register();
    relay.start();
    await waitFor(async () => (await deliveredTo(id))?.status === 'delivered', { what: 'the delivery' });
    await relay.stop();
    const undelivered = await producer.register();
    await fanOutEvents(producer.db, `bonding_outbox:${producer.database.name}`, [
      consumer.subscriber('nobody-home'),
    ]);
    await purgeEventTables(producer.db, { outboxRetentionMs: 0, inboxRetentionMs: 0 });
    expect(await producer.db.selectFrom('outbox').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(await producer.deliveries(undelivered.id)).toHaveLength(1);
  });
});
