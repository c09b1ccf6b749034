import type { EventTables, Role } from '@bonding/kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { OneTimeCodePurpose } from '../domain/one-time-codes.js';

export type UserStatus = 'active' | 'pending' | 'rejected' | 'disabled';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  role: Role;
  status: UserStatus;
  reg_number: string | null;
  created_at: Date;
  updated_at: Date;
  status_changed_at: Date | null;
  /** When the user proved they read this address (a verification code); null until then. */
  email_verified_at: Date | null;
  version: number;
}

/** A sign-in session: the chain of refresh tokens issued from one login. */
export interface RefreshFamiliesTable {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  user_agent: string | null;
}

export interface RefreshTokensTable {
  /** SHA-256 of the opaque token, hex; the token itself is never stored. */
  token_hash: string;
  family_id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  created_at: Date;
}

export interface LoginLocksTable {
  email: string;
  locked_until: Date;
}

export interface AuditLogTable {
  id: string;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  details: ColumnType<string | null, string | null, never>;
  created_at: Date;
}

/** A one-time code sent by e-mail (password reset, e-mail verification); only its SHA-256 is kept. */
export interface OneTimeCodesTable {
  code_hash: string;
  purpose: OneTimeCodePurpose;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  /** For `email_change` codes: the address the code confirms. */
  new_email: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A user's authenticator (TOTP): the secret sealed with the field cipher; unconfirmed until its first code. */
export interface TotpCredentialsTable {
  user_id: string;
  secret_sealed: string;
  created_at: Date;
  confirmed_at: Date | null;
  /** The newest time step a code was accepted for: that step and earlier ones are refused (replay). */
  last_used_step: ColumnType<string | null, string | null, string | null>;
}

/** Recovery codes for when the authenticator is lost; only their SHA-256 is kept. */
export interface RecoveryCodesTable {
  code_hash: string;
  user_id: string;
  created_at: Date;
  used_at: Date | null;
}

/** The second step of a two-factor sign-in: the password was right, a code is still needed. */
export interface MfaChallengesTable {
  token_hash: string;
  user_id: string;
  user_agent: string | null;
  created_at: Date;
  expires_at: Date;
  attempts: number;
  used_at: Date | null;
}

/** One row per rate-limited security request (a reset asked for an e-mail, …), counted per bucket. */
export interface SecurityRequestsTable {
  id: Generated<number>;
  bucket: string;
  created_at: Date;
}

/** Identity's tables, plus the kit's outbox, inbox and revocations. */
export interface IdentityDatabase extends EventTables {
  users: UsersTable;
  refresh_families: RefreshFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  login_attempts: LoginAttemptsTable;
  login_locks: LoginLocksTable;
  audit_log: AuditLogTable;
  one_time_codes: OneTimeCodesTable;
  security_requests: SecurityRequestsTable;
  totp_credentials: TotpCredentialsTable;
  recovery_codes: RecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
