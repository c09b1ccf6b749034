import type { EventTables, InboxDeadLetterTables } from '@bonding/kit';
import type { Selectable } from 'kysely';

/** Who users are, from identity's events only: whom to address, and by what name. */
export interface UserDirectoryTable {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: 'admin' | 'agent' | 'student';
  status: 'active' | 'pending' | 'rejected' | 'disabled';
  updated_at: Date;
}

/** Who raised each loan (from loan.created), so later loan events also reach that agent. */
export interface LoanPartiesTable {
  loan_id: string;
  student_id: string;
  raised_by: string;
  created_at: Date;
}

/**
 * The last stream sequence number given to each user's notifications. Taking
 * the next one locks the user's row until commit, so a user's sequence numbers
 * commit in order: a reader that has seen N has seen everything up to N.
 */
export interface NotificationCountersTable {
  user_id: string;
  /** BIGINT: arrives as a string. */
  last_seq: string;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  /** Per user, 1, 2, 3…: the stream's event id (Last-Event-ID) and the list's order. BIGINT. */
  seq: string;
  kind: string;
  title: string;
  body: string;
  /** JSON: ids and values the client may link to (loanId, …). */
  data: string;
  /** The event that caused it. */
  event_id: string;
  created_at: Date;
  read_at: Date | null;
}

export type MailStatus = 'pending' | 'sent' | 'dead';

/**
 * E-mails to send. The recipient's address and name are looked up when the
 * mail is sent, so it goes to the address the user has then.
 */
export interface MailOutboxTable {
  id: string;
  user_id: string;
  template: string;
  /** JSON: the template's parameters (ids, amounts, dates; an address only in the e-mail change mails, `toAddress`). */
  params: string;
  status: MailStatus;
  attempts: number;
  /** Due time while pending; also the lease of the replica sending it. */
  next_attempt_at: Date;
  /** Error codes only (ECONNECTION 421, recipient_unknown): never an address or a server's text. */
  last_error: string | null;
  event_id: string;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

/** One-time tickets for EventSource, which cannot send an Authorization header. */
export interface StreamTicketsTable {
  /** SHA-256 of the ticket: the ticket itself is never stored. */
  ticket_hash: string;
  user_id: string;
  role: 'admin' | 'agent' | 'student';
  session_id: string | null;
  /** `iat` and `exp` of the access token that asked for it: revocation, and how long the stream may last. */
  token_issued_at: Date;
  token_expires_at: Date;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

/** A guarantor's address, from loan.guarantorRequested@1, while they may still be written to. */
export interface GuarantorContactsTable {
  guarantor_id: string;
  loan_id: string;
  student_id: string;
  email: string;
  first_name: string;
  surname: string;
  consented: number;
  created_at: Date;
}

export type GuarantorContactRow = Selectable<GuarantorContactsTable>;

export interface NotificationsDatabase extends EventTables, InboxDeadLetterTables {
  user_directory: UserDirectoryTable;
  loan_parties: LoanPartiesTable;
  guarantor_contacts: GuarantorContactsTable;
  notification_counters: NotificationCountersTable;
  notifications: NotificationsTable;
  mail_outbox: MailOutboxTable;
  stream_tickets: StreamTicketsTable;
}

export type DirectoryRow = Selectable<UserDirectoryTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type MailRow = Selectable<MailOutboxTable>;
export type TicketRow = Selectable<StreamTicketsTable>;
