import { Counter, Histogram, type ServiceMetrics } from '@bonding/kit';

/**
 * The loan funnel: applications → decisions → disbursements → repaid. Each is
 * counted only after the transaction that made it has committed, by the replica
 * that made it (sum across pods for the total); event-driven ones only when the
 * inbox processed the event, never for a redelivery. Labels stay bounded: roles,
 * decisions, results and ISO currency codes, never ids.
 */
export interface LoansMetrics {
  /** Loans raised, by the role of who raised them (student, agent, admin). */
  applications: Counter<'raised_by'>;
  /** Admins' decisions on NEW loans: approved or rejected. */
  decisions: Counter<'decision'>;
  /** Disbursement outcomes reported by the ledger: disbursed or failed. */
  disbursements: Counter<'result'>;
  /** Principal paid out into students' wallets, in minor units. */
  disbursed: Counter<'currency'>;
  /** From the approval the ledger acted on to the money reaching the wallet. */
  disbursementLag: Histogram;
  /** Repayments applied. */
  repayments: Counter<'currency'>;
  /** Money repaid, in minor units. */
  repaid: Counter<'currency'>;
  /** Loans paid off in full (REPAID). */
  loansRepaid: Counter;
  /** Close of business: loans closed for a business date, by result (closed, failed). */
  cobLoans: Counter<'result'>;
  /** Close of business: how long a run for one business date took. */
  cobRunSeconds: Histogram;
}

export function createLoansMetrics({ registry }: ServiceMetrics): LoansMetrics {
  const registers = [registry];
  return {
    applications: new Counter({
      name: 'loans_applications_total',
      help: 'Loans raised, by the role of who raised them (student, agent, admin).',
      labelNames: ['raised_by'] as const,
      registers,
    }),
    decisions: new Counter({
      name: 'loans_decisions_total',
      help: 'Decisions on NEW loans: approved or rejected.',
      labelNames: ['decision'] as const,
      registers,
    }),
    disbursements: new Counter({
      name: 'loans_disbursements_total',
      help: "Disbursement outcomes from the ledger's events: disbursed or failed.",
      labelNames: ['result'] as const,
      registers,
    }),
    disbursed: new Counter({
      name: 'loans_disbursed_minor_units_total',
      help: "Principal paid out into students' wallets, in minor units, by currency.",
      labelNames: ['currency'] as const,
      registers,
    }),
    disbursementLag: new Histogram({
      name: 'loans_disbursement_lag_seconds',
      help: 'From the (latest) approval of a loan to its money reaching the wallet (the ledger transfer).',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    repayments: new Counter({
      name: 'loans_repayments_total',
      help: 'Repayments applied, by currency.',
      labelNames: ['currency'] as const,
      registers,
    }),
    repaid: new Counter({
      name: 'loans_repayment_minor_units_total',
      help: 'Money repaid, in minor units, by currency.',
      labelNames: ['currency'] as const,
      registers,
    }),
    loansRepaid: new Counter({
      name: 'loans_repaid_total',
      help: 'Loans paid off in full (status REPAID).',
      registers,
    }),
    cobLoans: new Counter({
      name: 'loans_close_of_business_loans_total',
      help: 'Loans close of business went through for a business date, by result (closed, failed).',
      labelNames: ['result'] as const,
      registers,
    }),
    cobRunSeconds: new Histogram({
      name: 'loans_close_of_business_run_seconds',
      help: 'How long close of business took for one business date.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    }),
  };
}
