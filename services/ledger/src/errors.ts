import { DomainError, Unprocessable } from '@bonding/kit';
import type { RejectionCode } from './domain/posting.js';

/** Business rules a client can act on: 409 for an account's state, 422 for the request itself. */
const REJECTION_STATUS: Record<RejectionCode, number> = {
  invalid_amount: 422,
  self_transfer: 422,
  account_closed: 409,
  account_frozen: 409,
  currency_mismatch: 422,
  account_type_not_allowed: 422,
  insufficient_funds: 422,
  balance_limit_exceeded: 422,
};

const TITLES: Record<number, string> = { 409: 'Conflict', 422: 'Unprocessable Content' };

/** A movement of money the ledger refused; nothing of it was applied. */
export class TransferRejected extends DomainError {
  readonly rejection: RejectionCode;
  /** The account the rule is about, when there is one. */
  readonly accountId: string | undefined;

  constructor(code: RejectionCode, detail: string, accountId?: string) {
    const status = REJECTION_STATUS[code];
    super(status, code, TITLES[status] ?? 'Bad Request', {
      detail,
      ...(accountId ? { extensions: { accountId } } : {}),
    });
    this.rejection = code;
    this.accountId = accountId;
  }
}

export { Unprocessable };

/** A currency without its system accounts: nothing can move in it yet. */
export function noSystemAccount(type: 'cash' | 'funding', currency: string): Unprocessable {
  return new Unprocessable('currency_not_supported', `The ledger has no ${currency} ${type} account.`);
}
