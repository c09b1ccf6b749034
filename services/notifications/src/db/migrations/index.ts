import {
  createEndedSessionsTable,
  createEventTables,
  createInboxDeadLetterTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createNotifications from './0001_create_notifications.js';
import * as createGuarantorContacts from './0004_create_guarantor_contacts.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_notifications', ...createNotifications },
  { name: '0002_create_event_tables', up: createEventTables },
  { name: '0003_create_ended_sessions', up: createEndedSessionsTable },
  { name: '0004_create_guarantor_contacts', ...createGuarantorContacts },
  // The JetStream consumer's own dead letters and parked events (docs/events.md).
  { name: '0005_create_inbox_dead_letters', up: createInboxDeadLetterTables },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0006_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
