import {
  createEndedSessionsTable,
  createEventTables,
  dropOutboxDeliveries,
  type Migration,
} from '@bonding/kit';
import * as createUsers from './0001_create_users.js';
import * as createSessions from './0002_create_sessions.js';
import * as createLoginAttempts from './0003_create_login_attempts.js';
import * as createAuditLog from './0004_create_audit_log.js';
import * as createAccountSecurity from './0006_create_account_security.js';
import * as createTwoFactor from './0007_create_two_factor.js';

/** Every migration in the order it applies; add new ones at the end. */
export const migrations: Migration[] = [
  { name: '0001_create_users', ...createUsers },
  { name: '0002_create_sessions', ...createSessions },
  { name: '0003_create_login_attempts', ...createLoginAttempts },
  { name: '0004_create_audit_log', ...createAuditLog },
  { name: '0005_create_event_tables', up: createEventTables },
  { name: '0006_create_account_security', ...createAccountSecurity },
  { name: '0007_create_two_factor', ...createTwoFactor },
  { name: '0008_create_ended_sessions', up: createEndedSessionsTable },
  // The former HTTP push's delivery rows: nothing uses them since events travel over JetStream.
  { name: '0009_drop_outbox_deliveries', up: dropOutboxDeliveries },
];
