import type { EventTables, IdempotencyTables, InboxDeadLetterTables } from '@bonding/kit';
import type { Generated, Selectable } from 'kysely';
import type { AccountStatus, AccountType } from '../domain/accounts.js';
import type { CardBrand, CardStatus } from '../domain/cards.js';
import type { TransferKind } from '../domain/posting.js';

/** mysql2 returns BIGINT as a decimal string, so no amount is ever rounded; writes pass strings too. */
type MinorUnits = string;

export interface AccountsTable {
  id: string;
  /** The identity user id of a wallet's holder; null for system and institution accounts. */
  owner_id: string | null;
  /**
   * owner_id, the institution's id for an institution account, or 'platform' (never NULL, so it can be
   * unique with type and currency).
   */
  owner_key: string;
  type: AccountType;
  currency: string;
  status: AccountStatus;
  balance: MinorUnits;
  /** Counts status changes: the ETag that freeze, unfreeze and close must match. */
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface TransfersTable {
  id: string;
  kind: TransferKind;
  debit_account_id: string;
  credit_account_id: string;
  /** Holders of the two accounts at the time (null for system accounts), for listing by user. */
  from_user_id: string | null;
  to_user_id: string | null;
  amount: MinorUnits;
  currency: string;
  reference: string | null;
  loan_id: string | null;
  /** Whose Idempotency-Key this is: a user id, or 'platform' for internal movements. */
  initiator: string;
  idempotency_key: string;
  created_at: Date;
}

export type EntryDirection = 'debit' | 'credit';

export interface EntriesTable {
  /** AUTO_INCREMENT, assigned while the account row is locked: per account, the order of its postings. */
  id: Generated<string>;
  transfer_id: string;
  account_id: string;
  direction: EntryDirection;
  amount: MinorUnits;
  currency: string;
  balance_after: MinorUnits;
  created_at: Date;
}

export interface CardsTable {
  id: string;
  account_id: string;
  owner_id: string;
  brand: CardBrand;
  last_four: string;
  expiry_month: number;
  expiry_year: number;
  status: CardStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface LedgerDatabase extends EventTables, InboxDeadLetterTables, IdempotencyTables {
  accounts: AccountsTable;
  transfers: TransfersTable;
  entries: EntriesTable;
  cards: CardsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type TransferRow = Selectable<TransfersTable>;
export type EntryRow = Selectable<EntriesTable>;
export type CardRow = Selectable<CardsTable>;

/** The owner key of system accounts (wallets use their holder's id). */
export const PLATFORM_OWNER = 'platform';

/** The initiator of movements the platform makes (disbursements, repayments): its own key space. */
export const PLATFORM_INITIATOR = 'platform';
