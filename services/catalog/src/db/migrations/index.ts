import {
  createEndedSessionsTable,
  createEventTables,
  createInboxDeadLetterTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createProducts from './0001_create_products.js';
import * as addStudyTerms from './0004_add_study_terms.js';
import * as addTrancheAndGuarantorTerms from './0005_add_tranche_and_guarantor_terms.js';
import * as createInstitutions from './0006_create_institutions.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_products', ...createProducts },
  { name: '0002_create_event_tables', up: createEventTables },
  { name: '0003_create_ended_sessions', up: createEndedSessionsTable },
  { name: '0004_add_study_terms', ...addStudyTerms },
  { name: '0005_add_tranche_and_guarantor_terms', ...addTrancheAndGuarantorTerms },
  { name: '0006_create_institutions', ...createInstitutions },
  // The JetStream consumer's own dead letters and parked events (docs/events.md).
  { name: '0007_create_inbox_dead_letters', up: createInboxDeadLetterTables },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0008_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
