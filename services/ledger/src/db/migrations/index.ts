import {
  createEndedSessionsTable,
  createEventTables,
  createIdempotencyTable,
  createInboxDeadLetterTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createAccounts from './0001_create_accounts.js';
import * as createTransfers from './0002_create_transfers.js';
import * as createEntries from './0003_create_entries.js';
import * as createCards from './0004_create_cards.js';
import * as ownerKeyOfInstitutionAccounts from './0008_owner_key_of_institution_accounts.js';
import * as institutionAccountsNotNegative from './0009_institution_accounts_not_negative.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_accounts', ...createAccounts },
  { name: '0002_create_transfers', ...createTransfers },
  { name: '0003_create_entries', ...createEntries },
  { name: '0004_create_cards', ...createCards },
  { name: '0005_create_idempotency_records', up: createIdempotencyTable },
  { name: '0006_create_event_tables', up: createEventTables },
  { name: '0007_create_ended_sessions', up: createEndedSessionsTable },
  { name: '0008_owner_key_of_institution_accounts', ...ownerKeyOfInstitutionAccounts },
  { name: '0009_institution_accounts_not_negative', ...institutionAccountsNotNegative },
  // The JetStream consumer's own dead letters and parked events (docs/events.md).
  { name: '0010_create_inbox_dead_letters', up: createInboxDeadLetterTables },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0011_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
