import { type AccountStatus, type AccountType, mayGoNegative } from './accounts.js';
import { MAX_MINOR_UNITS } from './money.js';

export const TRANSFER_KINDS = ['deposit', 'withdrawal', 'transfer', 'disbursement', 'repayment'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/**
 * The account types each kind of movement takes money from and gives it to. A disbursement pays a loan
 * out: to the student's wallet, or a tranche's tuition to the institution's account. No kind takes money
 * out of an institution account: it only receives (paying an institution out to its bank would be a new
 * kind, institution → cash).
 */
export const TRANSFER_ROUTES: Record<TransferKind, { from: AccountType; to: readonly AccountType[] }> = {
  transfer: { from: 'wallet', to: ['wallet'] },
  deposit: { from: 'cash', to: ['wallet'] },
  withdrawal: { from: 'wallet', to: ['cash'] },
  disbursement: { from: 'funding', to: ['wallet', 'institution'] },
  repayment: { from: 'wallet', to: ['funding'] },
};

/** An account as the transfer finds it, locked. */
export interface PostingAccount {
  id: string;
  type: AccountType;
  currency: string;
  status: AccountStatus;
  balance: bigint;
}

export interface PostingRequest {
  kind: TransferKind;
  /** Debited: its balance goes down. */
  from: PostingAccount;
  /** Credited: its balance goes up. */
  to: PostingAccount;
  /** Minor units, positive. */
  amount: bigint;
  currency: string;
}

export type RejectionCode =
  | 'invalid_amount'
  | 'self_transfer'
  | 'account_closed'
  | 'account_frozen'
  | 'currency_mismatch'
  | 'account_type_not_allowed'
  | 'insufficient_funds'
  | 'balance_limit_exceeded';

export interface Rejection {
  ok: false;
  code: RejectionCode;
  /** The account the rule is about, when there is one. */
  accountId?: string;
  detail: string;
}

/** The two entries of an accepted transfer: debits equal credits by construction. */
export interface Posting {
  ok: true;
  amount: bigint;
  fromBalanceAfter: bigint;
  toBalanceAfter: bigint;
}

/**
 * Decides whether a transfer may be posted and what the two balances become.
 * Pure: the caller has locked both accounts and applies the result in the same
 * transaction. The rules are checked in a fixed order, so the same state always
 * gives the same answer.
 */
export function planPosting(request: PostingRequest): Posting | Rejection {
  const { kind, from, to, amount, currency } = request;
  if (amount <= 0n || amount > MAX_MINOR_UNITS) {
    return { ok: false, code: 'invalid_amount', detail: 'The amount must be between 1 and 2^53 − 1.' };
  }
  if (from.id === to.id) {
    return { ok: false, code: 'self_transfer', accountId: from.id, detail: 'An account cannot pay itself.' };
  }
  for (const account of [from, to]) {
    if (account.status === 'closed') {
      return {
        ok: false,
        code: 'account_closed',
        accountId: account.id,
        detail: 'A closed account neither sends nor receives money.',
      };
    }
    if (account.status === 'frozen') {
      return {
        ok: false,
        code: 'account_frozen',
        accountId: account.id,
        detail: 'A frozen account neither sends nor receives money.',
      };
    }
  }
  for (const account of [from, to]) {
    if (account.currency !== currency) {
      return {
        ok: false,
        code: 'currency_mismatch',
        accountId: account.id,
        detail: `The account holds ${account.currency}, not ${currency}.`,
      };
    }
  }
  const route = TRANSFER_ROUTES[kind];
  if (from.type !== route.from || !route.to.includes(to.type)) {
    return {
      ok: false,
      code: 'account_type_not_allowed',
      detail: `A ${kind} moves money from a ${route.from} account to a ${route.to.join(' or ')} account.`,
    };
  }
  const fromBalanceAfter = from.balance - amount;
  const toBalanceAfter = to.balance + amount;
  if (fromBalanceAfter < 0n && !mayGoNegative(from.type)) {
    return {
      ok: false,
      code: 'insufficient_funds',
      accountId: from.id,
      detail: 'The balance is lower than the amount.',
    };
  }
  if (fromBalanceAfter < -MAX_MINOR_UNITS || toBalanceAfter > MAX_MINOR_UNITS) {
    return {
      ok: false,
      code: 'balance_limit_exceeded',
      detail: 'A balance would leave the range the ledger keeps exact (±(2^53 − 1) minor units).',
    };
  }
  return { ok: true, amount, fromBalanceAfter, toBalanceAfter };
}
