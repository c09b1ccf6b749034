import { bearerSecurity, Conflict, createRouter, Forbidden, jsonBody, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { businessDateSettable } from '../config.js';
import type { LoansDeps } from '../deps.js';
import { daysBetween } from '../domain/calendar.js';
import { dateText } from '../lending/business-date.js';
import { businessDate, MAX_DATES_PER_ADVANCE, moveBusinessDate } from '../lending/lending-service.js';

const tags = ['lending'];

const BusinessDateSchema = z
  .object({
    businessDate: z.iso.date().openapi({ description: "The lending domain's today.", example: '2027-09-01' }),
    timeZone: z
      .string()
      .openapi({ description: 'BUSINESS_TIME_ZONE: production follows the calendar there.' }),
    settable: z
      .boolean()
      .openapi({ description: 'Whether an admin may move it (never in production by default).' }),
  })
  .openapi('BusinessDate');

const CobRunSchema = z
  .object({
    businessDate: z.iso.date(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    loansProcessed: z.number().int(),
    failures: z.number().int(),
    durationMs: z.number().int().nullable(),
  })
  .openapi('CloseOfBusinessRun');

const AdvanceSchema = z
  .strictObject({
    businessDate: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).openapi({ example: '2027-09-02' }),
  })
  .openapi('BusinessDateChange');

const getDate = createRoute({
  method: 'get',
  path: '/lending/business-date',
  tags,
  summary: 'The business date loans are run on (staff)',
  security: bearerSecurity,
  responses: {
    200: { description: 'Today.', content: { 'application/json': { schema: BusinessDateSchema } } },
    ...problemResponses(401, 403),
  },
});

const setDate = createRoute({
  method: 'post',
  path: '/lending/business-date',
  tags,
  summary:
    'Move the business date forward, closing business for every date it passes (admin; development and test environments)',
  description:
    'Never backwards (409 `business_date_backwards`); a date whose run could not close every loan is not ' +
    'passed (503 `close_of_business_incomplete`: the date stays on it, and the next request reruns it for ' +
    'the loans left); refused where the date follows the calendar (403 ' +
    `\`business_date_not_settable\`, production by default); at most ${MAX_DATES_PER_ADVANCE} dates a request.`,
  security: bearerSecurity,
  request: { body: jsonBody(AdvanceSchema) },
  responses: {
    200: {
      description: 'The new business date and the close-of-business run of each date passed.',
      content: {
        'application/json': {
          schema: z
            .object({
              businessDate: z.iso.date(),
              closed: z.array(CobRunSchema.omit({ startedAt: true, finishedAt: true })),
            })
            .openapi('BusinessDateMoved'),
        },
      },
    },
    ...problemResponses(400, 401, 403, 409, 422, 503),
  },
});

const runs = createRoute({
  method: 'get',
  path: '/lending/cob-runs',
  tags,
  summary: 'Close-of-business runs, newest business date first (staff)',
  security: bearerSecurity,
  request: {
    query: z.object({ limit: z.coerce.number().int().min(1).max(366).default(30) }),
  },
  responses: {
    200: {
      description: 'The runs.',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(CobRunSchema) }).openapi('CloseOfBusinessRuns'),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

export function lendingRoutes(deps: LoansDeps) {
  const staff = [deps.guards.require('agent', 'admin')];
  const adminOnly = [deps.guards.require('admin')];
  const settable = businessDateSettable(deps.config);
  const today = async () => ({
    businessDate: await businessDate(deps),
    timeZone: deps.config.BUSINESS_TIME_ZONE,
    settable,
  });
  return createRouter()
    .openapi({ ...getDate, middleware: staff }, async (c) => c.json(await today(), 200))
    .openapi({ ...setDate, middleware: adminOnly }, async (c) => {
      if (!settable) {
        throw new Forbidden(
          'business_date_not_settable',
          'Here the business date follows the calendar (BUSINESS_DATE_SETTABLE is off).',
        );
      }
      const to = c.req.valid('json').businessDate;
      const from = await businessDate(deps);
      if (daysBetween(from, to) > MAX_DATES_PER_ADVANCE) {
        throw new Conflict(
          'business_date_too_far',
          `At most ${MAX_DATES_PER_ADVANCE} business dates are closed by one request; the date is ${from}.`,
        );
      }
      const moved = await moveBusinessDate(deps, to);
      return c.json(
        {
          businessDate: moved.businessDate,
          closed: moved.closed.map(({ businessDate: date, loansProcessed, failures, durationMs }) => ({
            businessDate: date,
            loansProcessed,
            failures,
            durationMs,
          })),
        },
        200,
      );
    })
    .openapi({ ...runs, middleware: staff }, async (c) => {
      const rows = await deps.db
        .selectFrom('cob_runs')
        .select(['started_at', 'finished_at', 'loans_processed', 'failures', 'duration_ms'])
        .select(dateText('business_date').as('date'))
        .orderBy('business_date', 'desc')
        .limit(c.req.valid('query').limit)
        .execute();
      return c.json(
        {
          items: rows.map((row) => ({
            businessDate: row.date,
            startedAt: row.started_at.toISOString(),
            finishedAt: row.finished_at?.toISOString() ?? null,
            loansProcessed: row.loans_processed,
            failures: row.failures,
            durationMs: row.duration_ms,
          })),
        },
        200,
      );
    });
}
