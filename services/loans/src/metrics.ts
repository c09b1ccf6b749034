import { Counter, Gauge, Histogram, type ServiceMetrics } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { LoansDatabase } from './db/schema.js';
import { businessDateLag } from './lending/business-date-lag.js';

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
  /** Close of business: runs for one business date, by result (completed, with_failures, aborted). */
  cobRuns: Counter<'result'>;
}

/** What the business date lag is read from at each scrape: the database, the business clock, the zone. */
export interface BusinessCalendar {
  db: Kysely<LoansDatabase>;
  now: () => Date;
  timeZone: string;
  /** Whether the date follows the calendar here (not settable by admins): only there is a lag a fault. */
  followsCalendar: boolean;
}

/** Every result is exported from the start at 0, so that increase() sees the first failure of a process. */
function zeroed<T extends string>(counter: Counter<T>, label: T, values: readonly string[]): Counter<T> {
  for (const value of values) counter.inc({ [label]: value } as Record<T, string>, 0);
  return counter;
}

export function createLoansMetrics({ registry }: ServiceMetrics, calendar: BusinessCalendar): LoansMetrics {
  const registers = [registry];
  // Read at scrape time from the database-wide date: dashboards and alerts take max across replicas.
  new Gauge({
    name: 'loans_business_date_lag_days',
    help:
      'Days the business date is behind the calendar date in BUSINESS_TIME_ZONE (0 when on or ahead of it), ' +
      'by whether it follows the calendar here (follows_calendar="false": admins move it by hand).',
    labelNames: ['follows_calendar'] as const,
    registers,
    async collect() {
      let lag: number | undefined;
      try {
        lag = await businessDateLag(calendar.db, calendar.timeZone, calendar.now());
      } catch {
        // The last value stays: a scrape must not fail with the database, whose own alerts speak for it.
        return;
      }
      this.reset();
      if (lag !== undefined) this.set({ follows_calendar: String(calendar.followsCalendar) }, lag);
    },
  });
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
    cobLoans: zeroed(
      new Counter({
        name: 'loans_close_of_business_loans_total',
        help: 'Loans close of business went through for a business date, by result (closed, failed).',
        labelNames: ['result'] as const,
        registers,
      }),
      'result',
      ['closed', 'failed'],
    ),
    cobRunSeconds: new Histogram({
      name: 'loans_close_of_business_run_seconds',
      help: 'How long close of business took for one business date.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    }),
    cobRuns: zeroed(
      new Counter({
        name: 'loans_close_of_business_runs_total',
        help:
          'Close-of-business runs for one business date, by result: completed (every loan closed), ' +
          'with_failures (finished, some loans or the overdue marking failed), aborted (stopped by an error).',
        labelNames: ['result'] as const,
        registers,
      }),
      'result',
      ['completed', 'with_failures', 'aborted'],
    ),
  };
}
