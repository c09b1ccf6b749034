/** Where a loan is in its life (DESIGN §4, issue 7). */
export const LOAN_STATUSES = [
  'NEW',
  'APPROVED',
  'REJECTED',
  'CANCELLED',
  'DISBURSED',
  'DISBURSEMENT_FAILED',
  'REPAID',
] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

/** What can happen to a loan; each names the one move it makes. */
export const LOAN_ACTIONS = [
  'approve',
  'reject',
  'cancel',
  'disburse',
  'failDisbursement',
  'retryDisbursement',
  'repay',
] as const;
export type LoanAction = (typeof LOAN_ACTIONS)[number];

/** The only legal moves: from → to, per action. Anything not listed is refused. */
const MOVES: Record<LoanAction, { from: LoanStatus; to: LoanStatus }> = {
  approve: { from: 'NEW', to: 'APPROVED' },
  reject: { from: 'NEW', to: 'REJECTED' },
  cancel: { from: 'NEW', to: 'CANCELLED' },
  disburse: { from: 'APPROVED', to: 'DISBURSED' },
  failDisbursement: { from: 'APPROVED', to: 'DISBURSEMENT_FAILED' },
  retryDisbursement: { from: 'DISBURSEMENT_FAILED', to: 'APPROVED' },
  repay: { from: 'DISBURSED', to: 'REPAID' },
};

export type Transition = { ok: true; from: LoanStatus; to: LoanStatus } | { ok: false; from: LoanStatus };

/** The state `action` leads to from `status`, or a refusal (the API answers it with 409). */
export function transition(status: LoanStatus, action: LoanAction): Transition {
  const move = MOVES[action];
  return move.from === status ? { ok: true, from: status, to: move.to } : { ok: false, from: status };
}

/** A loan whose terms may still be edited or withdrawn. */
export const isEditable = (status: LoanStatus) => status === 'NEW';
