import { bearerSecurity, createRouter, etagFor, jsonBody, principalOf, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { datedInstalments, instalmentsOf, lockLoan } from '../db/loans.js';
import type { LoanRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { previousDate } from '../domain/calendar.js';
import { payoffQuote } from '../domain/lending/payoff.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { invalidTransition, Unprocessable } from '../errors.js';
import { dateText } from '../lending/business-date.js';
import { endStudies } from '../lending/end-studies.js';
import { businessDate } from '../lending/lending-service.js';
import { visibleLoan } from './access.js';
import { LoanIdParamSchema, LoanSchema, ReasonSchema, toLoan } from './schemas.js';

const tags = ['loans'];
const MoneyOut = z.number().int().openapi({ description: 'Minor units.' });

const EndStudiesSchema = z
  .strictObject({
    date: z.iso
      .date({ error: 'must be a date, YYYY-MM-DD' })
      .openapi({ description: 'When studies ended: today’s business date or later.', example: '2029-03-31' }),
    reason: ReasonSchema.openapi({ example: 'Withdrew from the programme' }),
  })
  .openapi('StudyEnd');

const PayoffSchema = z
  .object({
    loanId: z.uuid(),
    date: z.iso.date().openapi({ description: 'The business date the payment would be made.' }),
    currency: z.string(),
    principal: MoneyOut,
    interest: MoneyOut.openapi({ description: 'Accrued and unpaid, up to the day before `date`.' }),
    charges: MoneyOut.openapi({ description: 'Anything else overdue (none until late fees exist).' }),
    total: MoneyOut.openapi({ description: 'What a repayment on `date` must be to settle the loan.' }),
  })
  .openapi('Payoff');

const LendingEntrySchema = z
  .object({
    kind: z.enum(['phase_changed', 'interest_capitalised', 'studies_ended', 'tranche_certified']),
    businessDate: z.iso.date(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    amount: MoneyOut.nullable().openapi({
      description: 'interest_capitalised: the amount added to principal.',
    }),
    actorId: z.uuid().nullable().openapi({ description: 'null when close of business moved it.' }),
    reason: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .openapi('LendingHistoryEntry');

const endStudiesRoute = createRoute({
  method: 'post',
  path: '/loans/{id}/end-studies',
  tags,
  summary: 'End a loan’s studies early: grace starts on the date given (agent, admin)',
  description:
    'For a DISBURSED loan IN_SCHOOL. The date must be today’s business date or later, not before the disbursement and before the expected study end date (422 naming body.date); a loan in another phase is 409 not_in_school. On today’s date the phase moves at once; otherwise close of business moves it on that date.',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema, body: jsonBody(EndStudiesSchema) },
  responses: {
    200: {
      description: 'The loan with its new study end date.',
      headers: { ETag: { schema: { type: 'string' as const } } },
      content: { 'application/json': { schema: LoanSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
});

const payoffRoute = createRoute({
  method: 'get',
  path: '/loans/{id}/payoff',
  tags,
  summary: 'What settles a disbursed loan on a business date (staff, or the loan’s student)',
  description:
    'Daily-interest loans: principal + interest accrued and unpaid + the interest of the days to `date` on today’s principal (the fraction of a minor unit is dropped). Legacy loans: what their schedule still holds. `date` defaults to today’s business date; an earlier one is 422.',
  security: bearerSecurity,
  request: {
    params: LoanIdParamSchema,
    query: z.object({
      date: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).optional().openapi({ example: '2031-05-01' }),
    }),
  },
  responses: {
    200: { description: 'The payoff quote.', content: { 'application/json': { schema: PayoffSchema } } },
    ...problemResponses(400, 401, 404, 409, 422),
  },
});

const lendingHistoryRoute = createRoute({
  method: 'get',
  path: '/loans/{id}/lending-history',
  tags,
  summary:
    'Phase changes, capitalised interest and studies ended, oldest first (staff, or the loan’s student)',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema },
  responses: {
    200: {
      description: 'The lending history.',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(LendingEntrySchema) }).openapi('LendingHistory'),
        },
      },
    },
    ...problemResponses(400, 401, 404),
  },
});

/** A daily loan's payoff: interest to the day before the payment (the payment's own day accrues on what is left). */
function dailyPayoff(loan: LoanRow, date: string) {
  const through = loan.accrued_through ?? previousDate(loan.disbursed_on ?? date);
  return payoffQuote({
    principal: minorUnits(loan.principal_outstanding),
    accruedInterest: minorUnits(loan.accrued_interest),
    carry: minorUnits(loan.interest_carry),
    overdueCharges: 0n,
    annualRateBps: loan.annual_rate_bps,
    accruedThrough: through,
    payoffDate: previousDate(date),
  });
}

export function loanLendingRoutes(deps: LoansDeps) {
  const { db } = deps;
  const staff = [deps.guards.require('agent', 'admin')];
  const signedIn = [deps.guards.require()];
  return createRouter()
    .openapi({ ...endStudiesRoute, middleware: staff }, async (c) => {
      const caller = principalOf(c);
      const body = c.req.valid('json');
      const today = await businessDate(deps);
      const now = deps.now();
      const row = await db.transaction().execute(async (trx) => {
        const loan = await lockLoan(trx, c.req.valid('param').id);
        return endStudies(trx, loan, { ...body, actorId: caller.userId }, today, now);
      });
      c.header('ETag', etagFor(row.version));
      return c.json(toLoan(row, (await instalmentsOf(db, [row.id])).get(row.id), today), 200);
    })
    .openapi({ ...payoffRoute, middleware: signedIn }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const today = await businessDate(deps);
      const date = c.req.valid('query').date ?? today;
      if (date < today) {
        throw new Unprocessable(
          'payoff_date_in_past',
          `The payoff date must not be before today's business date, ${today}.`,
          'query.date',
        );
      }
      if (loan.status !== 'DISBURSED') throw invalidTransition(loan.status, 'be paid off');
      let quote: { principal: bigint; interest: bigint; charges: bigint; total: bigint };
      if (loan.interest_method === 'daily') {
        quote = dailyPayoff(loan, date);
      } else {
        const instalments = datedInstalments((await instalmentsOf(db, [loan.id])).get(loan.id) ?? []);
        const principal = instalments.reduce((sum, i) => sum + i.principalDue - i.principalPaid, 0n);
        const interest = instalments.reduce((sum, i) => sum + i.interestDue - i.interestPaid, 0n);
        quote = { principal, interest, charges: 0n, total: principal + interest };
      }
      return c.json(
        {
          loanId: loan.id,
          date,
          currency: loan.currency,
          principal: toJsonAmount(quote.principal),
          interest: toJsonAmount(quote.interest),
          charges: toJsonAmount(quote.charges),
          total: toJsonAmount(quote.total),
        },
        200,
      );
    })
    .openapi({ ...lendingHistoryRoute, middleware: signedIn }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const rows = await db
        .selectFrom('lending_history')
        .select(['kind', 'from_phase', 'to_phase', 'amount', 'actor_id', 'reason', 'occurred_at'])
        .select(dateText('business_date').as('date'))
        .where('loan_id', '=', loan.id)
        .orderBy('id')
        .execute();
      return c.json(
        {
          items: rows.map((row) => ({
            kind: row.kind,
            businessDate: row.date,
            from: row.from_phase,
            to: row.to_phase,
            amount: row.amount === null ? null : toJsonAmount(minorUnits(row.amount)),
            actorId: row.actor_id,
            reason: row.reason,
            at: row.occurred_at.toISOString(),
          })),
        },
        200,
      );
    });
}
