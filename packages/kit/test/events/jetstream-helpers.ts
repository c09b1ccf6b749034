import { randomBytes } from 'node:crypto';
import type { EventData } from '@bonding/contracts';
import { collectLogLines, createTestDatabase, natsUrl, type TestDatabase } from '@bonding/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Generated, Kysely, Transaction } from 'kysely';
import { Registry } from 'prom-client';
import {
  consumersOf,
  declareJetStream,
  defaultJetStreamSettings,
  type JetStreamDeclaration,
  type JetStreamSettings,
} from '../../../../platform/events/declaration.js';
import { provisionJetStream } from '../../../../platform/events/provision.js';
import {
  connectNats,
  createDatabase,
  createEndedSessionsTable,
  createEventTables,
  createInboxDeadLetterTables,
  createLogger,
  type Database,
  type EventTables,
  emitEvent,
  type InboxDeadLetterTables,
  JetStreamConsumer,
  type JetStreamConsumerSettings,
  OutboxPublisher,
  type OutboxPublisherSettings,
  runMigrations,
} from '../../src/index.js';
import { directoryEntry } from './helpers.js';

/** One row per applied effect, in the order they were applied. */
interface EffectsTable {
  id: Generated<string>;
  event_id: string;
  type: string;
  user_id: string;
  last_name: string;
  consumer: string;
}

export interface JsConsumerDatabase extends EventTables, InboxDeadLetterTables {
  effects: EffectsTable;
}

/** Test settings: few attempts and short pauses, so dead letters happen in test time. */
export const fastConsumer: Partial<JetStreamConsumerSettings> = {
  maxAttempts: 3,
  retry: { baseMs: 50, maxMs: 200 },
  pullExpiresMs: 1_000,
  replayIntervalMs: 100,
  gaugeIntervalMs: 100,
  reconnectBackoff: { baseMs: 50, maxMs: 500 },
};

export const fastPublisher: Partial<OutboxPublisherSettings> = {
  pollIntervalMs: 50,
  publishTimeoutMs: 2_000,
  backoff: { baseMs: 50, maxMs: 500 },
};

/**
 * A stream, subjects and durables of the test's own on a shared NATS server: `producer` produces user
 * events; `consumer` takes registrations and updates; `students` only updates of students (a data filter).
 */
export function testDeclaration(overrides: Partial<JetStreamSettings> = {}): JetStreamDeclaration {
  const id = randomBytes(4).toString('hex');
  return declareJetStream(
    {
      services: [{ name: 'producer', produces: ['user.*'] }],
      subscriptions: {
        consumer: ['user.registered', 'user.updated'],
        students: [{ type: 'user.updated', where: { field: 'role', equals: 'student' } }],
      },
      secretReaders: [],
    },
    {
      ...defaultJetStreamSettings,
      stream: `T_${id.toUpperCase()}`,
      prefix: `t${id}`,
      maxAttempts: 3,
      // The ack wait: only a replica that stops holding a message waits this long; none does here.
      ackWaitMs: 10_000,
      ...overrides,
    },
  );
}

export async function connectTestNats(url = natsUrl()): Promise<NatsConnection> {
  return connectNats(url, 'kit-jetstream-test');
}

export async function deleteStream(nc: NatsConnection, declaration: JetStreamDeclaration): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(declaration.stream.name).catch(() => undefined);
  await jsm.streams.delete(declaration.privateStream.name).catch(() => undefined);
}

export async function streamMessages(nc: NatsConnection, declaration: JetStreamDeclaration): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(declaration.stream.name)).state.messages;
}

/** A producer's database (outbox) and the publishers over it. */
export async function createJsProducer(label: string, nc: NatsConnection, declaration: JetStreamDeclaration) {
  const database: TestDatabase = await createTestDatabase(label);
  const handle: Database<EventTables> = createDatabase<EventTables>({ url: database.url, poolSize: 6 });
  await runMigrations(handle.db, handle.name, [{ name: '0001_create_event_tables', up: createEventTables }]);
  const logs = collectLogLines();
  const logger = createLogger({ service: 'producer', level: 'debug', destination: logs.destination });
  const publishers: OutboxPublisher[] = [];
  return {
    db: handle.db,
    logs: logs.lines,
    publisher(settings: Partial<OutboxPublisherSettings> = {}, connection = nc) {
      const publisher = new OutboxPublisher({
        db: handle.db,
        databaseName: handle.name,
        source: 'producer',
        js: jetstream(connection),
        stream: declaration.stream.name,
        prefix: declaration.settings.prefix,
        logger,
        settings: { ...fastPublisher, ...settings },
      });
      publishers.push(publisher);
      return publisher;
    },
    async register(data = directoryEntry()) {
      const id = await handle.db
        .transaction()
        .execute(async (trx) => (await emitEvent(trx, { type: 'user.registered', version: 1, data })).id);
      return { id, data };
    },
    async update(data: EventData<'user.updated@1'>) {
      return handle.db
        .transaction()
        .execute(async (trx) => (await emitEvent(trx, { type: 'user.updated', version: 1, data })).id);
    },
    async unpublished() {
      const rows = await handle.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('fanned_out_at', 'is', null)
        .execute();
      return Number(rows[0]?.n);
    },
    async close() {
      await Promise.all(publishers.map((publisher) => publisher.stop()));
      await handle.close();
      await database.drop();
    },
  };
}
export type JsProducer = Awaited<ReturnType<typeof createJsProducer>>;

/**
 * A consuming service's database (inbox, dead letters, effects) and replicas of its consumer, each with its
 * own NATS connection and pool, as separate processes would have. A user whose last name is in `poisoned`
 * makes the handler fail (a bug); deleting it is the fix.
 */
export async function createJsConsumer(
  label: string,
  service: string,
  declaration: JetStreamDeclaration,
  url = natsUrl(),
) {
  const database = await createTestDatabase(label);
  const main: Database<JsConsumerDatabase> = createDatabase<JsConsumerDatabase>({
    url: database.url,
    poolSize: 4,
  });
  await runMigrations(main.db, main.name, [
    { name: '0001_create_event_tables', up: createEventTables },
    { name: '0002_create_inbox_dead_letters', up: createInboxDeadLetterTables },
    { name: '0003_create_ended_sessions', up: createEndedSessionsTable },
    {
      name: '0004_effects',
      up: async (db) => {
        await db.schema
          .createTable('effects')
          .addColumn('id', 'bigint', (col) => col.autoIncrement().primaryKey())
          .addColumn('event_id', 'char(36)', (col) => col.notNull())
          .addColumn('type', 'varchar(64)', (col) => col.notNull())
          .addColumn('user_id', 'char(36)', (col) => col.notNull())
          .addColumn('last_name', 'varchar(100)', (col) => col.notNull())
          .addColumn('consumer', 'varchar(16)', (col) => col.notNull())
          .execute();
      },
    },
  ]);
  const poisoned = new Set<string>();
  /** The replicas' metrics (one registry, as if one process: the gauges are the same from each). */
  const registry = new Registry();
  const logs = collectLogLines();
  const logger = createLogger({ service, level: 'debug', destination: logs.destination });
  const replicas: Array<{
    consumer: JetStreamConsumer<JsConsumerDatabase>;
    nc: NatsConnection;
    db: Database<JsConsumerDatabase>;
  }> = [];
  const effect =
    (replica: string) =>
    async (
      event: { id: string; type: string; data: { userId: string; lastName: string } },
      trx: Transaction<JsConsumerDatabase>,
    ) => {
      if (poisoned.has(event.data.lastName)) throw new Error(`poisoned: ${event.data.lastName}`);
      await trx
        .insertInto('effects')
        .values({
          event_id: event.id,
          type: event.type,
          user_id: event.data.userId,
          last_name: event.data.lastName,
          consumer: replica,
        })
        .execute();
    };
  return {
    /** The consumer database's URL, for a replica in a process of its own. */
    url: database.url,
    db: main.db as Kysely<JsConsumerDatabase>,
    logs: logs.lines,
    poisoned,
    registry,
    async replica(settings: Partial<JetStreamConsumerSettings> = {}) {
      const name = `r${replicas.length + 1}`;
      const nc = await connectNats(url, `${service}-${name}`);
      const db = createDatabase<JsConsumerDatabase>({ url: database.url, poolSize: 4 });
      const consumer = new JetStreamConsumer<JsConsumerDatabase>({
        service,
        js: jetstream(nc),
        ...consumerOf(declaration, service),
        db: db.db,
        handlers: { 'user.registered@1': effect(name), 'user.updated@1': effect(name) },
        logger: logger.child({ replica: name }),
        registry,
        settings: { ...fastConsumer, ackWaitMs: declaration.settings.ackWaitMs, ...settings },
      });
      replicas.push({ consumer, nc, db });
      consumer.start();
      return consumer;
    },
    async effects() {
      return main.db.selectFrom('effects').selectAll().orderBy('id').execute();
    },
    async letters() {
      return main.db.selectFrom('inbox_dead_letters').selectAll().orderBy('id').execute();
    },
    async close() {
      for (const replica of replicas) await replica.consumer.stop();
      await Promise.all(replicas.map((replica) => replica.nc.close()));
      for (const replica of replicas) await replica.consumer.stopped();
      await Promise.all(replicas.map((replica) => replica.db.close()));
      await main.close();
      await database.drop();
    },
  };
}
export type JsConsumer = Awaited<ReturnType<typeof createJsConsumer>>;

/** What a JetStreamConsumer of `service` takes from a test declaration: the stream and its patterns. */
export function consumerOf(declaration: JetStreamDeclaration, service: string) {
  return { stream: declaration.stream.name, patterns: consumersOf(declaration, service)[0]?.patterns ?? [] };
}

export async function provision(nc: NatsConnection, declaration: JetStreamDeclaration) {
  return provisionJetStream(nc, declaration);
}
