import {
  createEndedSessionsTable,
  createEventTables,
  createIdempotencyTable,
  createInboxDeadLetterTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createLoans from './0001_create_loans.js';
import * as createLoanHistory from './0002_create_loan_history.js';
import * as createInstalments from './0003_create_instalments.js';
import * as createRepayments from './0004_create_repayments.js';
import * as addLending from './0008_add_lending.js';
import * as addTranches from './0010_add_tranches.js';
import * as addInstalmentReminders from './0011_add_instalment_reminders.js';
import * as addGuarantors from './0012_add_guarantors.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_loans', ...createLoans },
  { name: '0002_create_loan_history', ...createLoanHistory },
  { name: '0003_create_instalments', ...createInstalments },
  { name: '0004_create_repayments', ...createRepayments },
  { name: '0005_create_idempotency_records', up: createIdempotencyTable },
  { name: '0006_create_event_tables', up: createEventTables },
  { name: '0007_create_ended_sessions', up: createEndedSessionsTable },
  { name: '0008_add_lending', ...addLending },
  { name: '0010_add_tranches', ...addTranches },
  { name: '0011_add_instalment_reminders', ...addInstalmentReminders },
  { name: '0012_add_guarantors', ...addGuarantors },
  // The JetStream consumer's own dead letters and parked events (docs/events.md).
  { name: '0013_create_inbox_dead_letters', up: createInboxDeadLetterTables },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0014_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
