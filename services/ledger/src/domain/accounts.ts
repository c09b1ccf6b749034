export const ACCOUNT_TYPES = ['wallet', 'funding', 'cash', 'institution'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** The platform's own accounts, one of each per currency: they face the outside world. */
export const SYSTEM_ACCOUNT_TYPES = ['funding', 'cash'] as const;
export type SystemAccountType = (typeof SYSTEM_ACCOUNT_TYPES)[number];

/**
 * What POST /accounts opens. An institution's account is opened only by its first tranche release: its
 * owner key is the institution's id, which nothing here could check if a person typed it in.
 */
export const OPENABLE_ACCOUNT_TYPES = ['wallet', ...SYSTEM_ACCOUNT_TYPES] as const;

export const ACCOUNT_STATUSES = ['active', 'frozen', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * Only system accounts may go below zero. Wallets and institution accounts hold money owed to someone
 * (a student, a college): a negative balance there would be money the ledger invented.
 */
export function mayGoNegative(type: AccountType): boolean {
  return (SYSTEM_ACCOUNT_TYPES as readonly AccountType[]).includes(type);
}

export type AccountAction = 'freeze' | 'unfreeze' | 'close';

export type StatusChange =
  | { ok: true; status: AccountStatus }
  | { ok: false; code: 'account_closed' | 'account_not_active' | 'account_not_frozen' | 'balance_not_zero' };

/**
 * An admin's status change: active ⇄ frozen; either → closed, only at a zero
 * balance (no money may be stranded). Closed is final.
 */
export function changeAccountStatus(
  current: AccountStatus,
  action: AccountAction,
  balance: bigint,
): StatusChange {
  if (current === 'closed') return { ok: false, code: 'account_closed' };
  switch (action) {
    case 'freeze':
      return current === 'active'
        ? { ok: true, status: 'frozen' }
        : { ok: false, code: 'account_not_active' };
    case 'unfreeze':
      return current === 'frozen'
        ? { ok: true, status: 'active' }
        : { ok: false, code: 'account_not_frozen' };
    case 'close':
      return balance === 0n ? { ok: true, status: 'closed' } : { ok: false, code: 'balance_not_zero' };
  }
}
