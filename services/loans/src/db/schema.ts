import type { EventTables, IdempotencyTables, InboxDeadLetterTables } from '@bonding/kit';
import type { Generated, Selectable } from 'kysely';
import type { LoanStatus } from '../domain/loan-states.js';

/** mysql2 returns BIGINT as a decimal string, so no amount is ever rounded; writes pass strings too. */
type MinorUnits = string;

export interface LoansTable {
  id: string;
  student_id: string;
  created_by: string;
  product_id: string;
  principal: MinorUnits;
  term_months: number;
  purpose: string;
  academic_year: string;
  /** The product's terms when the loan was raised: later product edits never change a loan. */
  currency: string;
  annual_rate_bps: number;
  grace_period_months: number;
  min_principal: MinorUnits;
  max_principal: MinorUnits;
  min_term_months: number;
  max_term_months: number;
  status: LoanStatus;
  /** The ETag: bumped by every change. */
  version: number;
  decided_by: string | null;
  failure_reason: string | null;
  disbursed_at: Date | null;
  disbursement_transfer_id: string | null;
  /** The creator's Idempotency-Key: unique per creator, so a purged key record never makes a second loan. */
  idempotency_key: string;
  created_at: Date;
  updated_at: Date;
  /** `legacy`: the schedule built at disbursement (loans from before the lending model); `daily`: accrued by close of business. */
  interest_method: 'legacy' | 'daily';
  /** A disbursed loan's phase as of the current business date. */
  phase: 'IN_SCHOOL' | 'GRACE' | 'REPAYMENT' | null;
  /** DATE columns: read through DATE_FORMAT as YYYY-MM-DD strings, never through the process's time zone. */
  study_end_date: string | null;
  interest_during_study: 'subsidised' | 'capitalised' | null;
  grace_months_after_study: number | null;
  disbursed_on: string | null;
  principal_outstanding: MinorUnits;
  accrued_interest: MinorUnits;
  subsidy: MinorUnits;
  /** Below one minor unit, in 1/3,650,000ths (docs/lending-model.md). */
  interest_carry: MinorUnits;
  /** The last business date close of business accrued. */
  accrued_through: string | null;
  /**
   * `whole`: approved before tranches existed, disbursed whole by loan.approved@1; `single`: no plan given,
   * one upkeep tranche released at approval; `tranches`: a plan released term by term once certified.
   */
  disbursement_method: 'whole' | 'single' | 'tranches';
  /** The payee of tuition legs (catalog's institution), and the programme studied there. */
  institution_id: string | null;
  programme: string | null;
  /** The product's term: a tranche not released this many days after its planned date lapses (null: never). */
  tranche_expiry_days: number | null;
  /** The product's term: how many guarantors must consent before the loan can be approved (0–2). */
  guarantors_required: number;
}

export const TRANCHE_STATUSES = [
  'PLANNED',
  'CERTIFIED',
  'RELEASING',
  'RELEASED',
  'RELEASE_FAILED',
  'LAPSED',
  'CANCELLED',
] as const;
export type TrancheStatus = (typeof TRANCHE_STATUSES)[number];

export interface TranchesTable {
  id: string;
  loan_id: string;
  /** 1-based, in planned-date order. */
  number: number;
  term_label: string;
  /** DATE columns: read through DATE_FORMAT as YYYY-MM-DD strings. */
  planned_date: string;
  tuition: MinorUnits;
  upkeep: MinorUnits;
  status: TrancheStatus;
  certified_by: string | null;
  certified_on: string | null;
  requested_on: string | null;
  released_on: string | null;
  tuition_transfer_id: string | null;
  upkeep_transfer_id: string | null;
  failure_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface LendingHistoryTable {
  id: Generated<string>;
  loan_id: string;
  kind: 'phase_changed' | 'interest_capitalised' | 'studies_ended' | 'tranche_certified';
  from_phase: string | null;
  to_phase: string | null;
  amount: MinorUnits | null;
  business_date: string;
  actor_id: string | null;
  reason: string | null;
  occurred_at: Date;
}

export interface BusinessDateTable {
  id: number;
  business_date: string;
  updated_at: Date;
}

export interface CobRunsTable {
  business_date: string;
  started_at: Date;
  finished_at: Date | null;
  loans_processed: Generated<number>;
  failures: Generated<number>;
  duration_ms: number | null;
}

export interface CobLoanDaysTable {
  loan_id: string;
  business_date: string;
  processed_at: Date;
}

export interface LoanHistoryTable {
  id: Generated<string>;
  loan_id: string;
  from_status: LoanStatus | null;
  to_status: LoanStatus;
  /** A user id, or null when the platform moved it (the ledger's events, the arrears job). */
  actor_id: string | null;
  reason: string | null;
  occurred_at: Date;
}

export interface InstalmentsTable {
  loan_id: string;
  number: number;
  due_date: string;
  principal_due: MinorUnits;
  interest_due: MinorUnits;
  principal_paid: MinorUnits;
  interest_paid: MinorUnits;
  /** When loan.overdue was emitted for it: once per instalment, whichever replica got there first. */
  overdue_at: Date | null;
  /** When loan.instalmentDueSoon was emitted for it (due-reminders.ts); a schedule's rows start without. */
  reminded_at: Generated<Date | null>;
}

export interface RepaymentsTable {
  id: string;
  loan_id: string;
  student_id: string;
  amount: MinorUnits;
  currency: string;
  transfer_id: string;
  idempotency_key: string;
  created_at: Date;
}

export const GUARANTOR_STATUSES = ['REQUESTED', 'CONSENTED', 'DECLINED', 'VOID'] as const;
export type GuarantorStatus = (typeof GUARANTOR_STATUSES)[number];

/** A guardian named as guarantor of a loan; name and village copied from the students service. */
export interface LoanGuarantorsTable {
  id: string;
  loan_id: string;
  guardian_id: string;
  first_name: string;
  surname: string;
  home_village: string;
  /** The student's name as the bonding file gave it when the guarantor was named: what the guarantor is shown. */
  student_name: string;
  email_masked: string;
  status: GuarantorStatus;
  /** SHA-256 (hex) of the consent code; the code itself is never stored. */
  code_hash: string;
  expires_at: Date;
  requested_by: string;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface LoansDatabase extends EventTables, InboxDeadLetterTables, IdempotencyTables {
  loans: LoansTable;
  loan_history: LoanHistoryTable;
  instalments: InstalmentsTable;
  repayments: RepaymentsTable;
  lending_history: LendingHistoryTable;
  business_date: BusinessDateTable;
  cob_runs: CobRunsTable;
  cob_loan_days: CobLoanDaysTable;
  tranches: TranchesTable;
  loan_guarantors: LoanGuarantorsTable;
}

export type LoanRow = Selectable<LoansTable>;
export type HistoryRow = Selectable<LoanHistoryTable>;
export type InstalmentRow = Selectable<InstalmentsTable>;
export type RepaymentRow = Selectable<RepaymentsTable>;
export type TrancheRow = Selectable<TranchesTable>;
export type GuarantorRow = Selectable<LoanGuarantorsTable>;
