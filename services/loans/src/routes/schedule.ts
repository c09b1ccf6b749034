import { bearerSecurity, createRouter, principalOf, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { instalmentsOf } from '../db/loans.js';
import type { LoanRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { isOverdue } from '../domain/arrears.js';
import { projectRepaymentSchedule } from '../domain/lending/projection.js';
import { repaymentStartDate } from '../domain/lending/study-phases.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { buildSchedule } from '../domain/schedule.js';
import { nextDate } from '../lending/business-date.js';
import { businessDate } from '../lending/lending-service.js';
import { visibleLoan } from './access.js';
import {
  datedInstalments,
  HistoryEntrySchema,
  LoanIdParamSchema,
  ScheduleSchema,
  toHistoryEntry,
  toProjectedInstalment,
} from './schemas.js';

const schedule = createRoute({
  method: 'get',
  path: '/loans/{id}/schedule',
  tags: ['loans'],
  summary: 'The repayment schedule: the real one once disbursed, before that a projection from today',
  description:
    "Equal monthly instalments (annuity; interest at the loan's rate on the balance; rounding on the last one). Legacy loans: the first falls due one month after the grace period, which starts at disbursement. Daily-interest loans: the schedule is built when repayment starts (docs/lending-model.md); until then this is a projection of it from today's principal and the study terms. A projection has projected: true.",
  security: bearerSecurity,
  request: { params: LoanIdParamSchema },
  responses: {
    200: { description: 'The schedule.', content: { 'application/json': { schema: ScheduleSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

const history = createRoute({
  method: 'get',
  path: '/loans/{id}/history',
  tags: ['loans'],
  summary: 'Every state change of a loan, oldest first, with who made it, when and why',
  description: 'A change made by the platform itself has no actor (null).',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema },
  responses: {
    200: {
      description: 'The history.',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(HistoryEntrySchema) }).openapi('LoanHistory'),
        },
      },
    },
    ...problemResponses(400, 401, 404),
  },
});

const projectLegacy = (loan: LoanRow, today: string) =>
  buildSchedule(
    {
      principal: minorUnits(loan.principal),
      annualRateBps: loan.annual_rate_bps,
      termMonths: loan.term_months,
      gracePeriodMonths: loan.grace_period_months,
    },
    today,
  );

/** A daily loan before repayment starts: disbursed today if it is not yet. */
function projectDaily(loan: LoanRow, today: string) {
  if (loan.study_end_date === null || loan.grace_months_after_study === null) return [];
  const disbursed = loan.disbursed_on !== null;
  return projectRepaymentSchedule({
    principal: minorUnits(disbursed ? loan.principal_outstanding : loan.principal),
    accruedInterest: minorUnits(loan.accrued_interest),
    carry: minorUnits(loan.interest_carry),
    annualRateBps: loan.annual_rate_bps,
    termMonths: loan.term_months,
    interestDuringStudy: loan.interest_during_study ?? 'capitalised',
    accruingFrom: loan.accrued_through ? nextDate(loan.accrued_through) : today,
    repaymentStart: repaymentStartDate({
      disbursedOn: loan.disbursed_on ?? today,
      studyEndDate: loan.study_end_date,
      graceMonthsAfterStudy: loan.grace_months_after_study,
    }),
  });
}

export function scheduleRoutes(deps: LoansDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];
  return createRouter()
    .openapi({ ...schedule, middleware: signedIn }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const today = await businessDate(deps);
      const rows = (await instalmentsOf(db, [loan.id])).get(loan.id) ?? [];
      const studying = loan.interest_method === 'daily' && loan.status === 'DISBURSED' && rows.length === 0;
      if ((loan.status === 'DISBURSED' || loan.status === 'REPAID') && !studying) {
        const instalments = datedInstalments(rows).map((i) => ({
          number: i.number,
          dueDate: i.dueDate,
          principal: toJsonAmount(i.principalDue),
          interest: toJsonAmount(i.interestDue),
          total: toJsonAmount(i.principalDue + i.interestDue),
          principalPaid: toJsonAmount(i.principalPaid),
          interestPaid: toJsonAmount(i.interestPaid),
          overdue: isOverdue(i, today),
        }));
        return c.json(
          {
            loanId: loan.id,
            currency: loan.currency,
            projected: false,
            totalInterest: instalments.reduce((sum, i) => sum + i.interest, 0),
            instalments,
          },
          200,
        );
      }
      const projected =
        loan.interest_method === 'daily' ? projectDaily(loan, today) : projectLegacy(loan, today);
      return c.json(
        {
          loanId: loan.id,
          currency: loan.currency,
          projected: true,
          totalInterest: toJsonAmount(projected.reduce((sum, i) => sum + i.interest, 0n)),
          instalments: projected.map(toProjectedInstalment),
        },
        200,
      );
    })
    .openapi({ ...history, middleware: signedIn }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const rows = await db
        .selectFrom('loan_history')
        .selectAll()
        .where('loan_id', '=', loan.id)
        .orderBy('id')
        .execute();
      return c.json({ items: rows.map(toHistoryEntry) }, 200);
    });
}
