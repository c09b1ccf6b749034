import { collectLogLines, freePort, natsUrl, waitFor } from '@bonding/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unconsumedUnder } from '../../src/events/jetstream/index.js';
import { createJetStreamEvents, createLogger } from '../../src/index.js';
import { directoryEntry } from './helpers.js';
import {
  connectTestNats,
  createJsConsumer,
  createJsProducer,
  deleteStream,
  fastConsumer,
  fastPublisher,
  type JsConsumer,
  type JsProducer,
  provision,
  testDeclaration,
} from './jetstream-helpers.js';

// createJetStreamEvents: what a service's runtime will hold in place of the HTTP relay.
describe('JetStream events of one service', () => {
  let nc: NatsConnection;
  const declaration = testDeclaration();
  let producer: JsProducer;
  let consumer: JsConsumer;
  const logs = collectLogLines();
  const logger = createLogger({ service: 'runtime-test', level: 'debug', destination: logs.destination });

  beforeAll(async () => {
    nc = await connectTestNats();
    await provision(nc, declaration);
    producer = await createJsProducer('js_runtime_producer', nc, declaration);
    consumer = await createJsConsumer('js_runtime_consumer', 'consumer', declaration);
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await deleteStream(nc, declaration);
    await nc?.close();
  });

  it('publishes the producer outbox and applies it in the consumer, and stops cleanly', async () => {
    const producing = createJetStreamEvents({
      service: 'producer',
      db: producer.db,
      databaseName: 'producer',
      logger,
      natsUrl: natsUrl(),
      declaration,
      publisher: fastPublisher,
    });
    const consuming = createJetStreamEvents({
      service: 'consumer',
      db: consumer.db,
      databaseName: 'consumer',
      logger,
      natsUrl: natsUrl(),
      declaration,
      handlers: {
        'user.registered@1': async (event, trx) => {
          await trx
            .insertInto('effects')
            .values({
              event_id: event.id,
              type: event.type,
              user_id: event.data.userId,
              last_name: event.data.lastName,
              consumer: 'runtime',
            })
            .execute();
        },
      },
      consumer: fastConsumer,
    });
    const prefix = declaration.settings.prefix;
    producing.start();
    await producing.ready();
    const { id } = await producer.register(directoryEntry());
    // Published, and waiting in the consumer's durable until the consumer runs.
    await waitFor(async () => (await unconsumedUnder(nc, prefix)) === 1, {
      timeoutMs: 30_000,
      what: 'the event to wait in the durable',
    });
    consuming.start();
    await consuming.ready();
    await waitFor(async () => (await consumer.effects()).some((effect) => effect.event_id === id), {
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await unconsumedUnder(nc, prefix)) === 0, {
      timeoutMs: 30_000,
      what: 'the durable to have its event acknowledged',
    });
    // It subscribes to user.updated too but handles only registrations: said at start.
    const warning = logs.lines.find((line) => /without a handler/.test(String(line.msg)));
    expect(warning?.unhandled).toEqual(['user.updated@1']);
    await Promise.all([producing.stop(), consuming.stop()]);
  });

  it('starts without NATS (the service keeps working) and stops while still waiting for it', async () => {
    const events = createJetStreamEvents({
      service: 'producer',
      db: producer.db,
      databaseName: 'producer',
      logger,
      natsUrl: `nats://127.0.0.1:${await freePort()}`,
      declaration,
    });
    events.start();
    await waitFor(() =>
      logs.lines.some((line) => line.msg === 'NATS is not reachable; events wait in the outbox'),
    );
    // The outbox still takes events.
    await producer.register(directoryEntry());
    expect(await producer.unpublished()).toBeGreaterThan(0);
    await events.stop();
  });
});
