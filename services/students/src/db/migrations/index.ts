import {
  createEndedSessionsTable,
  createEventTables,
  createInboxDeadLetterTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createBondingFile from './0001_create_bonding_file.js';
import * as addBondingFiles from './0004_add_bonding_files.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_bonding_file', ...createBondingFile },
  { name: '0002_create_event_tables', up: createEventTables },
  { name: '0003_create_ended_sessions', up: createEndedSessionsTable },
  { name: '0004_add_bonding_files', ...addBondingFiles },
  // The JetStream consumer's own dead letters and parked events (docs/events.md).
  { name: '0005_create_inbox_dead_letters', up: createInboxDeadLetterTables },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0006_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
