import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { Id, Money, ReasonCode } from './fields.js';

export const transferCompletedV1 = defineEvent({
  type: 'transfer.completed',
  version: 1,
  description: 'Money moved between two ledger accounts (a disbursement, a repayment, or a transfer).',
  shape: {
    transferId: Id,
    purpose: z.enum(['disbursement', 'repayment', 'transfer', 'deposit', 'withdrawal']),
    /** The loan a disbursement or repayment belongs to. */
    loanId: Id.nullable(),
    fromAccountId: Id,
    toAccountId: Id,
    /** The account holders; null for the platform's system accounts. */
    fromUserId: Id.nullable(),
    toUserId: Id.nullable(),
    amount: Money,
  },
  // A loan's disbursement outcome (this or disbursement.failed) must arrive in order, so both key by loan.
  aggregate: (data) => data.loanId ?? data.transferId,
});

export const disbursementFailedV1 = defineEvent({
  type: 'disbursement.failed',
  version: 1,
  description: "The ledger could not disburse an approved loan (e.g. the student's wallet is frozen).",
  shape: {
    loanId: Id,
    studentId: Id,
    amount: Money,
    reason: ReasonCode.describe('wallet_frozen, no_funding_account, …'),
  },
  aggregate: (data) => data.loanId,
});
