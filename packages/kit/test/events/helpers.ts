import { randomUUID } from 'node:crypto';
import type { EventData } from '@bonding/contracts';
import { createTestDatabase, type TestDatabase } from '@bonding/testing';
import {
  createDatabase,
  createEndedSessionsTable,
  createEventTables,
  type EventTables,
  emitEvent,
  runMigrations,
} from '../../src/index.js';

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

/** A service's database with the kit's event tables (outbox, inbox, revocations, ended sessions). */
export async function createProducer(label: string) {
  const database: TestDatabase = await createTestDatabase(label);
  const main = createDatabase<EventTables>({ url: database.url, poolSize: 6 });
  await runMigrations(main.db, main.name, [
    { name: '0001_create_event_tables', up: createEventTables },
    { name: '0002_create_ended_sessions', up: createEndedSessionsTable },
  ]);
  return {
    database,
    db: main.db,
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
    async close() {
      await main.close();
      await database.drop();
    },
  };
}

export type Producer = Awaited<ReturnType<typeof createProducer>>;
