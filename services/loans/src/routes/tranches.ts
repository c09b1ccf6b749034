import {
  bearerSecurity,
  Conflict,
  createRouter,
  emitEvent,
  NotFound,
  principalOf,
  problemResponses,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { Transaction } from 'kysely';
import { lockLoan, moveLoan } from '../db/loans.js';
import { type LoanRow, type LoansDatabase, TRANCHE_STATUSES, type TrancheRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { businessDate } from '../lending/lending-service.js';
import { moveTranche, requestRelease, selectTranches, tranchesOf } from '../lending/tranches.js';
import { visibleLoan } from './access.js';

const tags = ['tranches'];

const TrancheSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    termLabel: z.string(),
    plannedDate: z.iso.date(),
    tuition: z.number().int().openapi({ description: 'Minor units to the institution.' }),
    upkeep: z.number().int().openapi({ description: "Minor units to the student's wallet." }),
    status: z.enum(TRANCHE_STATUSES),
    certifiedBy: z.uuid().nullable(),
    certifiedOn: z.iso.date().nullable(),
    requestedOn: z.iso.date().nullable(),
    releasedOn: z.iso.date().nullable(),
    failureReason: z.string().nullable(),
  })
  .openapi('Tranche');

const TrancheParamsSchema = z.object({
  id: z.uuid({ error: 'must be a loan id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
  n: z.coerce
    .number()
    .int()
    .min(1)
    .max(99)
    .openapi({ param: { name: 'n', in: 'path' }, example: 1 }),
});

const trancheAnswer = {
  description: 'The tranche.',
  content: { 'application/json': { schema: TrancheSchema } },
};

const list = createRoute({
  method: 'get',
  path: '/loans/{id}/tranches',
  tags,
  summary: "A loan's tranches in plan order (staff, or the loan's student)",
  security: bearerSecurity,
  request: { params: TrancheParamsSchema.pick({ id: true }) },
  responses: {
    200: {
      description: 'The plan.',
      content: {
        'application/json': { schema: z.object({ items: z.array(TrancheSchema) }).openapi('Tranches') },
      },
    },
    ...problemResponses(400, 401, 404),
  },
});

const certify = createRoute({
  method: 'post',
  path: '/loans/{id}/tranches/{n}/certify',
  tags,
  summary: "Certify the student's enrolment for a tranche's term (agent, admin; whoever raised the loan may)",
  description:
    'For an APPROVED or DISBURSED loan, a PLANNED tranche. It is released on its planned date by close of business; at once when that date has come.',
  security: bearerSecurity,
  request: { params: TrancheParamsSchema },
  responses: { 200: trancheAnswer, ...problemResponses(400, 401, 403, 404, 409) },
});

const retry = createRoute({
  method: 'post',
  path: '/loans/{id}/tranches/{n}/retry-release',
  tags,
  summary: 'Ask the ledger again for a tranche whose release failed, once its cause is fixed (admin)',
  security: bearerSecurity,
  request: { params: TrancheParamsSchema },
  responses: { 200: trancheAnswer, ...problemResponses(400, 401, 403, 404, 409) },
});

export function toTranche(row: TrancheRow) {
  return {
    id: row.id,
    number: row.number,
    termLabel: row.term_label,
    plannedDate: row.planned_date,
    tuition: toJsonAmount(minorUnits(row.tuition)),
    upkeep: toJsonAmount(minorUnits(row.upkeep)),
    status: row.status,
    certifiedBy: row.certified_by,
    certifiedOn: row.certified_on,
    requestedOn: row.requested_on,
    releasedOn: row.released_on,
    failureReason: row.failure_reason,
  };
}

async function lockTranche(trx: Transaction<LoansDatabase>, loan: LoanRow, number: number) {
  const tranche = await selectTranches(trx)
    .where('loan_id', '=', loan.id)
    .where('number', '=', number)
    .forUpdate()
    .executeTakeFirst();
  if (!tranche) throw new NotFound('tranche_not_found', `Loan ${loan.id} has no tranche ${number}.`);
  return tranche;
}

const trancheConflict = (tranche: TrancheRow, action: string) =>
  new Conflict('invalid_tranche_transition', `A tranche in status ${tranche.status} cannot ${action}.`, {
    extensions: { status: tranche.status },
  });

export function trancheRoutes(deps: LoansDeps) {
  const { db } = deps;
  const read = async (id: string) => (await tranchesOf(db, id)).map(toTranche);
  const reread = async (trancheId: string) =>
    toTranche(await selectTranches(db).where('id', '=', trancheId).executeTakeFirstOrThrow());
  return createRouter()
    .openapi({ ...list, middleware: [deps.guards.require()] }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      return c.json({ items: await read(loan.id) }, 200);
    })
    .openapi({ ...certify, middleware: [deps.guards.require('agent', 'admin')] }, async (c) => {
      const caller = principalOf(c);
      const { id, n } = c.req.valid('param');
      const today = await businessDate(deps);
      const now = deps.now();
      const trancheId = await db.transaction().execute(async (trx) => {
        const loan = await lockLoan(trx, id);
        if (loan.status !== 'APPROVED' && loan.status !== 'DISBURSED') {
          throw new Conflict(
            'loan_not_releasing',
            `A loan in status ${loan.status} has no tranches to certify.`,
            {
              extensions: { status: loan.status },
            },
          );
        }
        const tranche = await lockTranche(trx, loan, n);
        const certified = { certified_by: caller.userId, certified_on: today };
        if (!(await moveTranche(trx, tranche, ['PLANNED'], 'CERTIFIED', certified, now))) {
          throw trancheConflict(tranche, 'be certified');
        }
        await trx
          .insertInto('lending_history')
          .values({
            loan_id: loan.id,
            kind: 'tranche_certified',
            from_phase: null,
            to_phase: null,
            amount: (minorUnits(tranche.tuition) + minorUnits(tranche.upkeep)).toString(),
            business_date: today,
            actor_id: caller.userId,
            reason: tranche.term_label,
            occurred_at: now,
          })
          .execute();
        await emitEvent(
          trx,
          {
            type: 'tranche.certified',
            version: 1,
            data: {
              loanId: loan.id,
              studentId: loan.student_id,
              trancheId: tranche.id,
              number: tranche.number,
              termLabel: tranche.term_label,
              certifiedBy: caller.userId,
              businessDate: today,
            },
          },
          { now },
        );
        // Its date has come: released now rather than at tonight's close of business.
        if (tranche.planned_date <= today) {
          await requestRelease(
            trx,
            loan,
            { ...tranche, status: 'CERTIFIED', version: tranche.version + 1 },
            today,
            now,
          );
        }
        return tranche.id;
      });
      return c.json(await reread(trancheId), 200);
    })
    .openapi({ ...retry, middleware: [deps.guards.require('admin')] }, async (c) => {
      const caller = principalOf(c);
      const { id, n } = c.req.valid('param');
      const today = await businessDate(deps);
      const now = deps.now();
      const trancheId = await db.transaction().execute(async (trx) => {
        const loan = await lockLoan(trx, id);
        const tranche = await lockTranche(trx, loan, n);
        if (tranche.status !== 'RELEASE_FAILED') throw trancheConflict(tranche, 'be retried');
        if (loan.status === 'DISBURSEMENT_FAILED') {
          await moveLoan(trx, loan, {
            action: 'retryDisbursement',
            actorId: caller.userId,
            now,
            set: { failure_reason: null },
          });
        }
        await requestRelease(trx, loan, tranche, today, now);
        return tranche.id;
      });
      return c.json(await reread(trancheId), 200);
    });
}
