import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventData } from '@bonding/contracts';
import {
  collectLogLines,
  createTestDatabase,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
} from '@bonding/testing';
import { type Kysely, sql } from 'kysely';
import {
  createDatabase,
  createEndedSessionsTable,
  createEventTables,
  createHttpPushTransport,
  createLogger,
  createServiceMetrics,
  type Database,
  type EventTables,
  emitEvent,
  OutboxRelay,
  type RelaySettings,
  runMigrations,
  type ServiceMetrics,
  type Subscriber,
} from '../../src/index.js';
import type { ConsumerDatabase } from '../fixtures/event-consumer/src/schema.js';

export const CONSUMER_SECRET = 'consumer-secret-used-only-by-these-tests-0001';
export const consumerDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'event-consumer');

/** Settings that make retries and dead letters happen in test time. */
export const fastRelay: RelaySettings = {
  pollIntervalMs: 50,
  deliveryTimeoutMs: 2_000,
  maxAttempts: 20,
  concurrency: 8,
  baseMs: 50,
  maxMs: 400,
  gaugeIntervalMs: 0,
};

let sequence = 0;
/** user.registered data for a fresh user (uuid v4 is fine for the contract, and unique). */
export function directoryEntry(overrides: Partial<EventData<'user.registered@1'>> = {}) {
  sequence += 1;
  return {
    userId: randomUUID(),
    email: `user${sequence}@example.test`,
    firstName: `First${sequence}`,
    lastName: 'Banda',
    role: 'student' as const,
    status: 'active' as const,
    regNumber: `REG-${sequence}`,
    ...overrides,
  };
}

/**
 * A producer service's database with the kit's event tables, plus relays over
 * it. Each relay gets its own connection pool, as a separate replica would.
 */
export async function createProducer(label: string) {
  const database: TestDatabase = await createTestDatabase(label);
  const handles: Database<EventTables>[] = [];
  const open = () => {
    const handle = createDatabase<EventTables>({ url: database.url, poolSize: 6 });
    handles.push(handle);
    return handle;
  };
  const main = open();
  await runMigrations(main.db, main.name, [
    { name: '0001_create_event_tables', up: createEventTables },
    { name: '0002_create_ended_sessions', up: createEndedSessionsTable },
  ]);
  const relays: OutboxRelay[] = [];
  const { destination, lines } = collectLogLines();
  const logger = createLogger({ service: 'producer', level: 'debug', destination });
  const metrics: ServiceMetrics = createServiceMetrics('producer');

  return {
    database,
    db: main.db,
    logLines: lines,
    metrics,
    relay(subscribers: Subscriber[], settings: Partial<RelaySettings> = {}) {
      const full = { ...fastRelay, ...settings };
      const relay = new OutboxRelay({
        db: open().db,
        databaseName: main.name,
        source: 'producer',
        subscribers,
        transport: createHttpPushTransport({
          peerSecrets: Object.fromEntries(subscribers.map((s) => [s.name, CONSUMER_SECRET])),
          timeoutMs: full.deliveryTimeoutMs,
          userAgent: 'test-relay',
        }),
        logger: logger.child({ relay: relays.length + 1 }),
        registry: metrics.registry,
        settings: full,
      });
      relays.push(relay);
      return relay;
    },
    /** Emits user.registered in a transaction that commits, or rolls back when asked to. */
    async register(data = directoryEntry(), { rollback = false } = {}) {
      let id = '';
      await main.db
        .transaction()
        .execute(async (trx) => {
          id = (await emitEvent(trx, { type: 'user.registered', version: 1, data })).id;
          if (rollback) throw new Error('rolled back on purpose');
        })
        .catch((error: Error) => {
          if (!rollback) throw error;
        });
      return { id, data };
    },
    async update(data: EventData<'user.updated@1'>) {
      return main.db
        .transaction()
        .execute(async (trx) => (await emitEvent(trx, { type: 'user.updated', version: 1, data })).id);
    },
    async deliveries(eventId: string) {
      return main.db
        .selectFrom('outbox_deliveries')
        .selectAll()
        .where('event_id', '=', eventId)
        .orderBy('subscriber')
        .execute();
    },
    async close() {
      await Promise.all(relays.map((relay) => relay.stop(0)));
      await Promise.all(handles.map((handle) => handle.close()));
      await database.drop();
    },
  };
}
export type Producer = Awaited<ReturnType<typeof createProducer>>;

/** The test consumer (packages/kit/test/fixtures/event-consumer) as a real process over its own database. */
export async function createConsumer(label: string, options: { delayMs?: number } = {}) {
  const database = await createTestDatabase(label);
  const port = await freePort();
  const env = {
    MYSQL_URL: database.url,
    MIGRATE_ON_START: 'true',
    INTERNAL_SECRETS: CONSUMER_SECRET,
    FIXTURE_HANDLER_DELAY_MS: String(options.delayMs ?? 0),
    LOG_LEVEL: 'warn',
  };
  let process: ServiceProcess | undefined = await startServiceProcess({ cwd: consumerDir, port, env });
  const handle = createDatabase<ConsumerDatabase>({ url: database.url, poolSize: 3 });
  const db: Kysely<ConsumerDatabase> = handle.db;

  return {
    db,
    url: `http://127.0.0.1:${port}`,
    subscriber(name = 'consumer', patterns = ['user.*']): Subscriber {
      return { name, url: `http://127.0.0.1:${port}`, patterns };
    },
    async stop() {
      await process?.stop('SIGKILL');
      process = undefined;
    },
    async restart() {
      process = await startServiceProcess({ cwd: consumerDir, port, env });
    },
    async effects(eventId?: string) {
      let query = db.selectFrom('effects').selectAll().orderBy('id');
      if (eventId) query = query.where('event_id', '=', eventId);
      return query.execute();
    },
    async arrivals(eventId: string) {
      return db.selectFrom('arrivals').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    },
    async count(table: 'inbox' | 'effects' | 'arrivals' | 'directory') {
      const { rows } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
      return Number(rows[0]?.n);
    },
    async close() {
      await process?.stop('SIGKILL');
      await handle.close();
      await database.drop();
    },
  };
}
export type Consumer = Awaited<ReturnType<typeof createConsumer>>;
