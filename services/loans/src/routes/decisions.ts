import {
  bearerSecurity,
  createRouter,
  emitEvent,
  etagFor,
  jsonBody,
  type Principal,
  principalOf,
  problemResponses,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { Transaction } from 'kysely';
import { lockLoan, moveLoan } from '../db/loans.js';
import type { LoanRow, LoansDatabase } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { loanNotFound } from '../errors.js';
import { assertConsentsIn } from '../lending/guarantors.js';
import { businessDate } from '../lending/lending-service.js';
import { cancelOpenTranches, requestRelease, tranchesOf } from '../lending/tranches.js';
import { assertMayAmend, assertNotRaiser, isStaff } from './access.js';
import { LoanIdParamSchema, LoanSchema, ReasonSchema, toLoan } from './schemas.js';

const OptionalReasonSchema = z.strictObject({ reason: ReasonSchema.optional() }).openapi('OptionalReason');
const RequiredReasonSchema = z.strictObject({ reason: ReasonSchema }).openapi('Reason');

const decision = <Schema extends z.ZodType>(
  path: string,
  summary: string,
  schema: Schema,
  problems: number[],
) =>
  createRoute({
    method: 'post',
    path: `/loans/{id}/${path}`,
    tags: ['loans'],
    summary,
    security: bearerSecurity,
    request: { params: LoanIdParamSchema, body: jsonBody(schema) },
    responses: {
      200: {
        description: 'The loan in its new state.',
        headers: { ETag: { schema: { type: 'string' as const } } },
        content: { 'application/json': { schema: LoanSchema } },
      },
      ...problemResponses(...problems),
    },
  });

const cancel = decision(
  'cancel',
  'Withdraw a NEW loan (whoever raised it, its student, or an admin)',
  OptionalReasonSchema,
  [400, 401, 403, 404, 409],
);
const approve = decision(
  'approve',
  'Approve a NEW loan (admin; not the one who raised it): the ledger then disburses it',
  OptionalReasonSchema,
  [400, 401, 403, 404, 409],
);
const reject = decision(
  'reject',
  'Reject a NEW loan with a reason (admin; not the one who raised it)',
  RequiredReasonSchema,
  [400, 401, 403, 404, 409],
);
const retry = decision(
  'retry-disbursement',
  'Try a failed disbursement again once its cause is fixed (admin): back to APPROVED',
  OptionalReasonSchema,
  [400, 401, 403, 404, 409],
);

/**
 * loan.approved for the ledger. A loan from before tranches (`whole`) keeps version 1, which pays its
 * principal (keyed by the loan id, so a retry never pays twice). Every other loan gets version 2, which
 * moves no money: its tranches are released one by one — a loan without a plan at once, its single
 * upkeep tranche planned for today.
 */
async function emitApproved(
  trx: Transaction<LoansDatabase>,
  loan: LoanRow,
  approvedBy: string,
  today: string,
  now: Date,
) {
  const principal = { amountMinor: loan.principal, currency: loan.currency };
  if (loan.disbursement_method === 'whole') {
    await emitEvent(
      trx,
      {
        type: 'loan.approved',
        version: 1,
        data: { loanId: loan.id, studentId: loan.student_id, approvedBy, principal },
      },
      { now },
    );
    return;
  }
  const tranches = await tranchesOf(trx, loan.id);
  await emitEvent(
    trx,
    {
      type: 'loan.approved',
      version: 2,
      data: { loanId: loan.id, studentId: loan.student_id, approvedBy, principal, tranches: tranches.length },
    },
    { now },
  );
  if (loan.disbursement_method === 'single') {
    for (const tranche of tranches) {
      await trx.updateTable('tranches').set({ planned_date: today }).where('id', '=', tranche.id).execute();
      await requestRelease(trx, loan, tranche, today, now);
    }
  }
}

/** A failed first release tried again: `whole` loans ask the ledger again; others re-request the tranche. */
async function retryRelease(
  trx: Transaction<LoansDatabase>,
  loan: LoanRow,
  approvedBy: string,
  today: string,
  now: Date,
) {
  if (loan.disbursement_method === 'whole') return emitApproved(trx, loan, approvedBy, today, now);
  for (const tranche of await tranchesOf(trx, loan.id)) {
    if (tranche.status === 'RELEASE_FAILED') await requestRelease(trx, loan, tranche, today, now);
  }
}

export function decisionRoutes(deps: LoansDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];
  const adminOnly = [deps.guards.require('admin')];

  /** Locks the loan, hides it from those who may not see it, and runs one change in one transaction. */
  const change = async (
    caller: Principal,
    id: string,
    apply: (trx: Transaction<LoansDatabase>, loan: LoanRow, now: Date) => Promise<LoanRow>,
  ) => {
    const now = deps.now();
    const row = await db.transaction().execute(async (trx) => {
      const loan = await lockLoan(trx, id);
      if (!isStaff(caller) && loan.student_id !== caller.userId) throw loanNotFound(id);
      return apply(trx, loan, now);
    });
    return { row, now };
  };

  return createRouter()
    .openapi({ ...cancel, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const { reason } = c.req.valid('json');
      const { row } = await change(caller, c.req.valid('param').id, async (trx, loan, at) => {
        assertMayAmend(caller, loan, true);
        const moved = await moveLoan(trx, loan, {
          action: 'cancel',
          actorId: caller.userId,
          reason,
          now: at,
        });
        await cancelOpenTranches(trx, loan.id, at);
        await emitEvent(
          trx,
          {
            type: 'loan.cancelled',
            version: 1,
            data: { loanId: loan.id, studentId: loan.student_id, cancelledBy: caller.userId },
          },
          { now: at },
        );
        return moved;
      });
      c.header('ETag', etagFor(row.version));
      return c.json(toLoan(row, undefined, await businessDate(deps)), 200);
    })
    .openapi({ ...approve, middleware: adminOnly }, async (c) => {
      const caller = principalOf(c);
      const { reason } = c.req.valid('json');
      const { row } = await change(caller, c.req.valid('param').id, async (trx, loan, at) => {
        assertNotRaiser(caller, loan);
        if (loan.status === 'NEW') await assertConsentsIn(trx, loan);
        const moved = await moveLoan(trx, loan, {
          action: 'approve',
          actorId: caller.userId,
          reason,
          now: at,
          set: { decided_by: caller.userId },
        });
        await emitApproved(trx, moved, caller.userId, await businessDate(deps), at);
        return moved;
      });
      deps.loansMetrics.decisions.inc({ decision: 'approved' });
      c.header('ETag', etagFor(row.version));
      return c.json(toLoan(row, undefined, await businessDate(deps)), 200);
    })
    .openapi({ ...reject, middleware: adminOnly }, async (c) => {
      const caller = principalOf(c);
      const { reason } = c.req.valid('json');
      const { row } = await change(caller, c.req.valid('param').id, async (trx, loan, at) => {
        assertNotRaiser(caller, loan);
        const moved = await moveLoan(trx, loan, {
          action: 'reject',
          actorId: caller.userId,
          reason,
          now: at,
          set: { decided_by: caller.userId },
        });
        await emitEvent(
          trx,
          {
            type: 'loan.rejected',
            version: 1,
            data: { loanId: loan.id, studentId: loan.student_id, rejectedBy: caller.userId, reason },
          },
          { now: at },
        );
        return moved;
      });
      deps.loansMetrics.decisions.inc({ decision: 'rejected' });
      c.header('ETag', etagFor(row.version));
      return c.json(toLoan(row, undefined, await businessDate(deps)), 200);
    })
    .openapi({ ...retry, middleware: adminOnly }, async (c) => {
      const caller = principalOf(c);
      const { reason } = c.req.valid('json');
      const { row } = await change(caller, c.req.valid('param').id, async (trx, loan, at) => {
        const moved = await moveLoan(trx, loan, {
          action: 'retryDisbursement',
          actorId: caller.userId,
          reason,
          now: at,
          set: { failure_reason: null },
        });
        await retryRelease(trx, moved, caller.userId, await businessDate(deps), at);
        return moved;
      });
      c.header('ETag', etagFor(row.version));
      return c.json(toLoan(row, undefined, await businessDate(deps)), 200);
    });
}
