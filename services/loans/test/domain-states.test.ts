import { describe, expect, it } from 'vitest';
import {
  LOAN_ACTIONS,
  LOAN_STATUSES,
  type LoanAction,
  type LoanStatus,
  transition,
} from '../src/domain/loan-states.js';

const LEGAL: [LoanStatus, LoanAction, LoanStatus][] = [
  ['NEW', 'approve', 'APPROVED'],
  ['NEW', 'reject', 'REJECTED'],
  ['NEW', 'cancel', 'CANCELLED'],
  ['APPROVED', 'disburse', 'DISBURSED'],
  ['APPROVED', 'failDisbursement', 'DISBURSEMENT_FAILED'],
  ['DISBURSEMENT_FAILED', 'retryDisbursement', 'APPROVED'],
  ['DISBURSED', 'repay', 'REPAID'],
];

describe('the loan state machine', () => {
  it.each(LEGAL)('moves %s by %s to %s', (from, action, to) => {
    expect(transition(from, action)).toEqual({ ok: true, from, to });
  });

  it('refuses every other move from every state', () => {
    let refused = 0;
    for (const status of LOAN_STATUSES) {
      for (const action of LOAN_ACTIONS) {
        if (LEGAL.some(([from, a]) => from === status && a === action)) continue;
        expect(transition(status, action)).toEqual({ ok: false, from: status });
        refused++;
      }
    }
    expect(refused).toBe(LOAN_STATUSES.length * LOAN_ACTIONS.length - LEGAL.length);
  });

  it('leaves no way out of REJECTED, CANCELLED or REPAID', () => {
    for (const status of ['REJECTED', 'CANCELLED', 'REPAID'] as const) {
      expect(LOAN_ACTIONS.filter((action) => transition(status, action).ok)).toEqual([]);
    }
  });
});
