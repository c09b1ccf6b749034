import { collectLogLines, freePort, natsUrl, unconsumedUnder, waitFor } from '@bonding/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventRuntime,
  createLogger,
  createServiceMetrics,
  type EventHandlers,
  eventConfigSchema,
  privateRootOf,
} from '../../src/index.js';
import { directoryEntry } from './helpers.js';
import {
  connectTestNats,
  createJsConsumer,
  createJsProducer,
  deleteStream,
  fastConsumer,
  fastPublisher,
  type JsConsumer,
  type JsConsumerDatabase,
  type JsProducer,
  provision,
  testDeclaration,
} from './jetstream-helpers.js';

// A service's event runtime: its outbox publisher and its consumer over JetStream, from its configuration.
describe('JetStream events of one service', () => {
  let nc: NatsConnection;
  const declaration = testDeclaration();
  let producer: JsProducer;
  let consumer: JsConsumer;
  const logs = collectLogLines();
  const logger = createLogger({ service: 'runtime-test', level: 'debug', destination: logs.destination });

  /** A service's runtime over the test's stream and database, as createServiceCore builds it. */
  function runtimeOf(
    service: string,
    db: JsProducer['db'] | JsConsumer['db'],
    env: Record<string, string> = {},
    handlers: EventHandlers<JsConsumerDatabase> = {},
  ) {
    const runtime = createEventRuntime({
      service,
      db,
      databaseName: service,
      logger,
      metrics: createServiceMetrics(service),
      config: eventConfigSchema.parse({
        NATS_URL: natsUrl(),
        NATS_STREAM: declaration.stream.name,
        NATS_SUBJECT_PREFIX: declaration.settings.prefix,
        ...env,
      }),
      publisher: fastPublisher,
      consumer: { ...fastConsumer, ackWaitMs: declaration.settings.ackWaitMs },
    });
    runtime.consume({ handlers: handlers as never });
    return runtime;
  }

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
    const producing = runtimeOf('producer', producer.db);
    const consuming = runtimeOf(
      'consumer',
      consumer.db,
      { EVENT_SUBSCRIPTIONS: 'user.registered,user.updated' },
      {
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
    );
    const roots = [declaration.settings.prefix, privateRootOf(declaration.settings.prefix)];
    await producing.start();
    await producing.ready();
    const { id } = await producer.register(directoryEntry());
    // Published, and waiting in the consumer's durable until the consumer runs.
    await waitFor(async () => (await unconsumedUnder(nc, roots)) === 1, {
      timeoutMs: 30_000,
      what: 'the event to wait in the durable',
    });
    await consuming.start();
    await consuming.ready();
    await waitFor(async () => (await consumer.effects()).some((effect) => effect.event_id === id), {
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await unconsumedUnder(nc, roots)) === 0, {
      timeoutMs: 30_000,
      what: 'the durable to have its event acknowledged',
    });
    // It subscribes to user.updated too but handles only registrations: said at start.
    const warning = logs.lines.find((line) => /without a handler/.test(String(line.msg)));
    expect(warning?.unhandled).toEqual(['user.updated@1']);
    await Promise.all([producing.stop(), consuming.stop()]);
  });

  it('starts without NATS (the service keeps working) and stops while still waiting for it', async () => {
    const events = runtimeOf('producer', producer.db, { NATS_URL: `nats://127.0.0.1:${await freePort()}` });
    await events.start();
    await waitFor(() =>
      logs.lines.some((line) => line.msg === 'NATS is not reachable; events wait in the outbox'),
    );
    // The outbox still takes events.
    await producer.register(directoryEntry());
    expect(await producer.unpublished()).toBeGreaterThan(0);
    await events.stop();
  });
});
