import { type PrivateNatsServer, startPrivateNatsServer, waitFor } from '@bonding/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryEntry } from './helpers.js';
import {
  connectTestNats,
  createJsConsumer,
  createJsProducer,
  type JsConsumer,
  type JsProducer,
  provision,
  streamMessages,
  testDeclaration,
} from './jetstream-helpers.js';

// A NATS server of this file's own, stopped and started again while the producer keeps emitting: the
// shared one serves the other test files meanwhile.
describe('JetStream: NATS stopped and restarted while publishing', () => {
  let server: PrivateNatsServer;
  let nc: NatsConnection;
  let producer: JsProducer;
  let consumer: JsConsumer;
  const declaration = testDeclaration();

  beforeAll(async () => {
    server = await startPrivateNatsServer();
    nc = await connectTestNats(server.url);
    await provision(nc, declaration);
    producer = await createJsProducer('js_restart_producer', nc, declaration);
    consumer = await createJsConsumer('js_restart_consumer', 'consumer', declaration, server.url);
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await nc?.close();
    await server?.close();
  });

  it('loses nothing and doubles nothing: the outbox waits, the stream dedupes, the inbox applies once, in order', async () => {
    await consumer.replica();
    await consumer.replica();
    const publisher = producer.publisher();
    publisher.start();
    const users = Array.from({ length: 8 }, () => directoryEntry());
    const ids: string[] = [];
    const emitRound = async (version: number) => {
      for (const user of users) ids.push(await producer.update({ ...user, lastName: `V${version}` }));
    };
    for (const user of users) ids.push((await producer.register(user)).id);
    await emitRound(1);
    await emitRound(2);

    await server.stop();
    // The producer keeps answering while NATS is away: its changes and their events commit as always.
    await emitRound(3);
    await emitRound(4);
    // Nothing can be published now, so the events of this outage are still in the outbox.
    expect(await producer.unpublished()).toBeGreaterThanOrEqual(users.length * 2);
    await server.start();
    await emitRound(5);

    await waitFor(async () => (await producer.unpublished()) === 0, {
      timeoutMs: 60_000,
      what: 'the outbox published after the restart',
    });
    await waitFor(
      async () => {
        const applied = new Set((await consumer.effects()).map((effect) => effect.event_id));
        return ids.every((id) => applied.has(id));
      },
      { timeoutMs: 60_000, what: 'every event applied after the restart' },
    );
    // Each event is in the stream once (a publish that timed out but was stored is dropped as a duplicate
    // when sent again), and applied once, in each user's order.
    expect(await streamMessages(nc, declaration)).toBe(ids.length);
    const effects = await consumer.effects();
    expect(effects).toHaveLength(ids.length);
    for (const user of users) {
      expect(
        effects.filter((effect) => effect.user_id === user.userId).map((effect) => effect.last_name),
      ).toEqual([user.lastName, 'V1', 'V2', 'V3', 'V4', 'V5']);
    }
    await publisher.stop();
  });
});
