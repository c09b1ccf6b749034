import { z } from '@hono/zod-openapi';
import { datedInstalments } from '../db/loans.js';
import type { HistoryRow, InstalmentRow, LoanRow, RepaymentRow } from '../db/schema.js';
import { ACADEMIC_YEAR_FORMAT } from '../domain/academic-year.js';
import { arrearsOn, type DatedInstalment } from '../domain/arrears.js';

export { datedInstalments };

import { repaymentStartDate } from '../domain/lending/study-phases.js';
import { LOAN_STATUSES } from '../domain/loan-states.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { outstandingOf } from '../domain/repayment.js';
import type { Instalment } from '../domain/schedule.js';

/** Money in: a positive whole number of minor units (checked as text first by requireExactIntegers). */
export const AmountSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({
  description: 'Minor units (1 MWK = 100 tambala): a positive whole number, at most 2^53 − 1.',
  example: 25_000_000,
});

const MoneyOut = z.number().int().openapi({ description: 'Minor units.' });

export const AcademicYearSchema = z
  .string()
  .regex(ACADEMIC_YEAR_FORMAT, { error: 'must be two consecutive years, e.g. 2026/2027' })
  .openapi({ description: 'Two consecutive years, e.g. 2026/2027.', example: '2026/2027' });

export const PurposeSchema = z.string().trim().min(1).max(500).openapi({ example: 'Tuition, first year' });
export const TermMonthsSchema = z.number().int().min(1).max(600).openapi({ example: 24 });
export const ReasonSchema = z.string().trim().min(1).max(500);

/** A calendar date (zod checks the calendar: 2027-02-30 is refused). */
export const StudyEndDateSchema = z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).openapi({
  description:
    "The student's expected end of studies: required for a product with study terms, refused for others.",
  example: '2030-06-30',
});

export const LoanIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a loan id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});

export const LoanSchema = z
  .object({
    id: z.uuid(),
    studentId: z.uuid(),
    createdBy: z.uuid(),
    productId: z.uuid(),
    principal: MoneyOut,
    currency: z.string(),
    termMonths: z.number().int(),
    annualRateBps: z.number().int(),
    gracePeriodMonths: z.number().int(),
    purpose: z.string(),
    academicYear: z.string(),
    status: z.enum(LOAN_STATUSES),
    decidedBy: z.uuid().nullable(),
    failureReason: z.string().nullable(),
    disbursedAt: z.iso.datetime().nullable(),
    /** Only once disbursed: what is still owed, and what of it is late. */
    outstanding: MoneyOut.nullable(),
    arrears: MoneyOut.nullable(),
    daysPastDue: z.number().int().nullable(),
    interestMethod: z.enum(['legacy', 'daily']).openapi({
      description:
        'daily: the lending model (study phases, interest accrued by close of business); legacy: the schedule built at disbursement.',
    }),
    phase: z.enum(['IN_SCHOOL', 'GRACE', 'REPAYMENT']).nullable().openapi({
      description:
        'A disbursed loan: studying, in grace after studies, or repaying (legacy loans repay at once).',
    }),
    studyEndDate: z.iso.date().nullable(),
    interestDuringStudy: z.enum(['subsidised', 'capitalised']).nullable(),
    graceMonthsAfterStudy: z.number().int().nullable(),
    repaymentStartDate: z.iso.date().nullable().openapi({
      description: 'daily loans: the first day of repayment, the grace months after studies end.',
    }),
    principalOutstanding: MoneyOut.nullable().openapi({
      description: 'daily loans once disbursed: principal owed, capitalised interest included.',
    }),
    accruedInterest: MoneyOut.nullable().openapi({
      description: 'daily loans once disbursed: interest accrued by close of business and not yet paid.',
    }),
    subsidy: MoneyOut.nullable().openapi({
      description: 'daily loans on a subsidised product: interest the board has borne so far.',
    }),
    accruedThrough: z.iso
      .date()
      .nullable()
      .openapi({ description: 'The last business date interest accrued for.' }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Loan');

export const InstalmentSchema = z
  .object({
    number: z.number().int(),
    dueDate: z.iso.date(),
    principal: MoneyOut,
    interest: MoneyOut,
    total: MoneyOut,
    principalPaid: MoneyOut,
    interestPaid: MoneyOut,
    overdue: z.boolean(),
  })
  .openapi('Instalment');

export const ScheduleSchema = z
  .object({
    loanId: z.uuid(),
    currency: z.string(),
    projected: z.boolean().openapi({
      description: 'true before disbursement: the schedule as it would be if the loan were disbursed today.',
    }),
    totalInterest: MoneyOut,
    instalments: z.array(InstalmentSchema),
  })
  .openapi('Schedule');

export const HistoryEntrySchema = z
  .object({
    from: z.enum(LOAN_STATUSES).nullable(),
    to: z.enum(LOAN_STATUSES),
    actorId: z.uuid().nullable().openapi({ description: 'null when the platform made the change.' }),
    reason: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .openapi('LoanHistoryEntry');

export const RepaymentSchema = z
  .object({
    id: z.uuid(),
    loanId: z.uuid(),
    amount: MoneyOut,
    currency: z.string(),
    transferId: z.uuid(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Repayment');

export const pageSchema = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** What is still owed: a daily loan's principal and accrued interest; a legacy loan's unpaid instalments. */
function outstandingNow(row: LoanRow, dated: DatedInstalment[]): bigint {
  if (row.interest_method === 'daily') {
    return row.status === 'REPAID'
      ? 0n
      : minorUnits(row.principal_outstanding) + minorUnits(row.accrued_interest);
  }
  return outstandingOf(dated);
}

/** The loan as the API shows it; arrears as of `today`, the business date. */
export function toLoan(row: LoanRow, instalments: InstalmentRow[] | undefined, today: string) {
  const disbursed = row.status === 'DISBURSED' || row.status === 'REPAID';
  const dated = disbursed ? datedInstalments(instalments ?? []) : [];
  const late = disbursed ? arrearsOn(dated, today) : undefined;
  const daily = row.interest_method === 'daily';
  const lent = (value: string) => (daily && disbursed ? toJsonAmount(minorUnits(value)) : null);
  return {
    id: row.id,
    studentId: row.student_id,
    createdBy: row.created_by,
    productId: row.product_id,
    principal: toJsonAmount(minorUnits(row.principal)),
    currency: row.currency,
    termMonths: row.term_months,
    annualRateBps: row.annual_rate_bps,
    gracePeriodMonths: row.grace_period_months,
    purpose: row.purpose,
    academicYear: row.academic_year,
    status: row.status,
    decidedBy: row.decided_by,
    failureReason: row.failure_reason,
    disbursedAt: row.disbursed_at?.toISOString() ?? null,
    outstanding: disbursed ? toJsonAmount(outstandingNow(row, dated)) : null,
    arrears: late ? toJsonAmount(late.arrears) : null,
    daysPastDue: late ? late.daysPastDue : null,
    interestMethod: row.interest_method,
    phase: row.status === 'DISBURSED' ? row.phase : null,
    studyEndDate: row.study_end_date,
    interestDuringStudy: row.interest_during_study,
    graceMonthsAfterStudy: row.grace_months_after_study,
    repaymentStartDate:
      row.study_end_date !== null && row.grace_months_after_study !== null
        ? repaymentStartDate({
            disbursedOn: row.disbursed_on ?? row.study_end_date,
            studyEndDate: row.study_end_date,
            graceMonthsAfterStudy: row.grace_months_after_study,
          })
        : null,
    principalOutstanding: lent(row.principal_outstanding),
    accruedInterest: lent(row.accrued_interest),
    subsidy: lent(row.subsidy),
    accruedThrough: row.accrued_through,
    disbursementMethod: row.disbursement_method,
    institutionId: row.institution_id,
    programme: row.programme,
    trancheExpiryDays: row.tranche_expiry_days,
    guarantorsRequired: row.guarantors_required,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toProjectedInstalment(instalment: Instalment) {
  return {
    number: instalment.number,
    dueDate: instalment.dueDate,
    principal: toJsonAmount(instalment.principal),
    interest: toJsonAmount(instalment.interest),
    total: toJsonAmount(instalment.principal + instalment.interest),
    principalPaid: 0,
    interestPaid: 0,
    overdue: false,
  };
}

export function toHistoryEntry(row: HistoryRow) {
  return {
    from: row.from_status,
    to: row.to_status,
    actorId: row.actor_id,
    reason: row.reason,
    at: row.occurred_at.toISOString(),
  };
}

export function toRepayment(row: RepaymentRow) {
  return {
    id: row.id,
    loanId: row.loan_id,
    amount: toJsonAmount(minorUnits(row.amount)),
    currency: row.currency,
    transferId: row.transfer_id,
    createdAt: row.created_at.toISOString(),
  };
}
