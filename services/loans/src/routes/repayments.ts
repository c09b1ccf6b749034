import { createHash } from 'node:crypto';
import {
  bearerSecurity,
  Conflict,
  createRouter,
  decodeCursor,
  emitEvent,
  Forbidden,
  IdempotencyKeyHeaderSchema,
  idempotencyClaimOf,
  jsonBody,
  pageOf,
  pageQuery,
  principalOf,
  problemResponses,
  requireExactIntegers,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Transaction } from 'kysely';
import { collectRepayment } from '../clients/ledger.js';
import { findLoan, instalmentsOf, lockLoan, moveLoan } from '../db/loans.js';
import { withRepaymentLock } from '../db/repayment-lock.js';
import type { LoansDatabase, RepaymentRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { dueOn, settlementOf } from '../domain/lending/daily-repayment.js';
import { PREPAYMENT_STRATEGIES, type PrepaymentStrategy } from '../domain/lending/prepayment.js';
import { minorUnits, toJsonAmount } from '../domain/money.js';
import { allocateRepayment, outstandingOf } from '../domain/repayment.js';
import { invalidTransition, loanNotFound, Unprocessable } from '../errors.js';
import { applyDailyRepayment } from '../lending/daily-repayment.js';
import { businessDate } from '../lending/lending-service.js';
import { visibleLoan } from './access.js';
import {
  AmountSchema,
  datedInstalments,
  LoanIdParamSchema,
  pageSchema,
  RepaymentSchema,
  toRepayment,
} from './schemas.js';

const RepaymentRequestSchema = z
  .strictObject({
    amount: AmountSchema,
    strategy: z.enum(PREPAYMENT_STRATEGIES).optional().openapi({
      description:
        'A daily-interest loan paid beyond what is due (a prepayment): required. reduce-term keeps the instalment and ends the loan sooner; reduce-instalment keeps the months and lowers the instalment. Ignored on legacy loans.',
    }),
  })
  .openapi('RepaymentRequest');

const ReceiptSchema = RepaymentSchema.extend({
  outstanding: z.number().int().openapi({ description: 'What is still owed after this repayment.' }),
  loanStatus: z.enum(['DISBURSED', 'REPAID']),
}).openapi('RepaymentReceipt');

const create = createRoute({
  method: 'post',
  path: '/loans/{id}/repayments',
  tags: ['repayments'],
  summary: "Repay from your wallet (the loan's student; Idempotency-Key required)",
  description:
    'Applied to the earliest instalments, interest before principal. On a daily-interest loan (docs/lending-model.md) a repayment beyond the instalments due is a prepayment: it pays the interest accrued so far, then principal (never interest still to accrue), needs a strategy (422 strategy_required) and rebuilds the schedule; at most the payoff amount of today (GET /loans/{id}/payoff). More than is outstanding: 422 overpayment; an empty wallet: 422 insufficient_funds (nothing is recorded). The last repayment makes the loan REPAID.',
  security: bearerSecurity,
  request: {
    params: LoanIdParamSchema,
    headers: IdempotencyKeyHeaderSchema,
    body: jsonBody(RepaymentRequestSchema),
  },
  responses: {
    201: { description: 'Received and applied.', content: { 'application/json': { schema: ReceiptSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 503),
    422: {
      description:
        'overpayment, strategy_required, insufficient_funds, wallet_not_found, … — nothing was recorded or moved.',
    },
  },
});

const list = createRoute({
  method: 'get',
  path: '/loans/{id}/repayments',
  tags: ['repayments'],
  summary: 'Repayments of a loan, newest first',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema, query: pageQuery('millis', 'id') },
  responses: {
    200: {
      description: 'A page of repayments.',
      content: { 'application/json': { schema: pageSchema(RepaymentSchema, 'RepaymentPage') } },
    },
    ...problemResponses(400, 401, 404),
  },
});

/**
 * The repayment's id, derived from (loan, student, Idempotency-Key): a retry of
 * the same request after a lost answer asks the ledger for the same transfer
 * again, which it replays instead of moving money twice.
 */
export function repaymentIdFor(loanId: string, studentId: string, key: string): string {
  const hex = createHash('sha256').update(`${loanId}\n${studentId}\n${key}`).digest('hex');
  // A UUIDv8 (custom): version nibble 8, RFC 9562 variant bits 10.
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A legacy loan: earliest instalments first, interest before principal; answers what is still owed. */
async function applyLegacyRepayment(
  trx: Transaction<LoansDatabase>,
  loanId: string,
  amount: bigint,
): Promise<bigint> {
  const balances = datedInstalments((await instalmentsOf(trx, [loanId])).get(loanId) ?? []);
  for (const part of allocateRepayment(balances, amount)) {
    await trx
      .updateTable('instalments')
      .set((eb) => ({
        interest_paid: eb('interest_paid', '+', part.interest.toString()),
        principal_paid: eb('principal_paid', '+', part.principal.toString()),
      }))
      .where('loan_id', '=', loanId)
      .where('number', '=', part.number)
      .execute();
  }
  return outstandingOf(balances) - amount;
}

const isDuplicateKey = (error: unknown) => (error as { code?: string }).code === 'ER_DUP_ENTRY';

export function repaymentRoutes(deps: LoansDeps) {
  const { db } = deps;
  const callerScope = (c: Context) => principalOf(c).userId;

  /** What is owed now, read fresh. */
  const outstandingNow = async (loanId: string) =>
    outstandingOf(datedInstalments((await instalmentsOf(db, [loanId])).get(loanId) ?? []));

  /**
   * A daily-interest loan, read fresh: at most what settles it today; beyond the instalments due, a
   * prepayment strategy. Checked before money moves, so a refusal moves none.
   */
  const checkDailyRepayment = async (
    loanId: string,
    amount: bigint,
    strategy: PrepaymentStrategy | undefined,
    today: string,
  ) => {
    const loan = await findLoan(db, loanId);
    if (!loan) throw loanNotFound(loanId);
    const settles = settlementOf({
      principal: minorUnits(loan.principal_outstanding),
      accruedInterest: minorUnits(loan.accrued_interest),
    });
    if (amount > settles) {
      throw new Unprocessable(
        'overpayment',
        `At most ${settles} minor units settle this loan today (GET /api/v1/loans/${loanId}/payoff).`,
        'body.amount',
      );
    }
    const instalments = datedInstalments((await instalmentsOf(db, [loanId])).get(loanId) ?? []);
    const due = outstandingOf(dueOn(instalments, today));
    if (amount > due && strategy === undefined) {
      throw new Unprocessable(
        'strategy_required',
        `${due} minor units are due; paying more is a prepayment: choose reduce-term or reduce-instalment.`,
        'body.strategy',
      );
    }
  };

  return createRouter()
    .openapi(
      {
        ...create,
        middleware: [
          deps.guards.require('student'),
          deps.guards.requireVerifiedEmail(),
          requireExactIntegers(),
          deps.idempotency.require(callerScope),
        ],
      },
      async (c) => {
        const caller = principalOf(c);
        const claim = idempotencyClaimOf(c);
        const { id } = c.req.valid('param');
        const { strategy } = c.req.valid('json');
        const amount = minorUnits(c.req.valid('json').amount);
        const loan = await visibleLoan(db, caller, id);
        if (loan.student_id !== caller.userId) {
          throw new Forbidden('not_loan_student', "Only the loan's student repays it.");
        }
        if (loan.status !== 'DISBURSED') throw invalidTransition(loan.status, 'take a repayment');
        const repaymentId = repaymentIdFor(loan.id, caller.userId, claim.key);

        const daily = loan.interest_method === 'daily';
        const done = await withRepaymentLock(db, loan.id, 10, async () => {
          const today = await businessDate(deps);
          if (daily) {
            await checkDailyRepayment(loan.id, amount, strategy, today);
          } else {
            const owed = await outstandingNow(loan.id);
            if (amount > owed) {
              throw new Unprocessable(
                'overpayment',
                `At most ${owed} minor units are outstanding on this loan.`,
                'body.amount',
              );
            }
          }
          // Money first, then the record: a refusal (insufficient_funds, a frozen wallet) records nothing.
          const transferId = await collectRepayment(deps, {
            repaymentId,
            loanId: loan.id,
            studentId: caller.userId,
            amount,
            currency: loan.currency,
          });
          const now = deps.now();
          return db.transaction().execute(async (trx) => {
            const locked = await lockLoan(trx, loan.id);
            const left = daily
              ? await applyDailyRepayment(trx, locked, amount, strategy, today, now)
              : await applyLegacyRepayment(trx, loan.id, amount);
            const row: RepaymentRow = {
              id: repaymentId,
              loan_id: loan.id,
              student_id: caller.userId,
              amount: amount.toString(),
              currency: loan.currency,
              transfer_id: transferId,
              idempotency_key: claim.key,
              created_at: now,
            };
            try {
              await trx.insertInto('repayments').values(row).execute();
            } catch (error) {
              if (isDuplicateKey(error)) {
                throw new Conflict(
                  'idempotency_key_reused',
                  'This Idempotency-Key already paid into this loan.',
                );
              }
              throw error;
            }
            const money = (value: bigint) => ({ amountMinor: value.toString(), currency: loan.currency });
            await emitEvent(
              trx,
              {
                type: 'repayment.received',
                version: 1,
                data: {
                  loanId: loan.id,
                  studentId: caller.userId,
                  repaymentId,
                  transferId,
                  amount: money(amount),
                  outstanding: money(left),
                },
              },
              { now },
            );
            let status: 'DISBURSED' | 'REPAID' = 'DISBURSED';
            if (left === 0n) {
              await moveLoan(trx, locked, { action: 'repay', actorId: caller.userId, now });
              await emitEvent(
                trx,
                { type: 'loan.repaid', version: 1, data: { loanId: loan.id, studentId: caller.userId } },
                { now },
              );
              status = 'REPAID';
            }
            const receipt = { ...toRepayment(row), outstanding: toJsonAmount(left), loanStatus: status };
            await claim.complete(trx, { status: 201, body: receipt });
            return receipt;
          });
        });
        if (!done) {
          throw new Conflict(
            'repayment_in_progress',
            'Another repayment of this loan is being applied; try again.',
          );
        }
        // Counted once committed; a replayed Idempotency-Key never reaches this handler.
        const { repayments, repaid, loansRepaid } = deps.loansMetrics;
        repayments.inc({ currency: loan.currency });
        repaid.inc({ currency: loan.currency }, Number(amount));
        if (done.value.loanStatus === 'REPAID') loansRepaid.inc();
        return c.json(done.value, 201);
      },
    )
    .openapi({ ...list, middleware: [deps.guards.require()] }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const query = c.req.valid('query');
      let select = db.selectFrom('repayments').selectAll().where('loan_id', '=', loan.id);
      if (query.cursor) {
        const [at, id] = decodeCursor(query.cursor, 2);
        const after = new Date(Number(at));
        select = select.where((eb) =>
          eb.or([
            eb('created_at', '<', after),
            eb.and([eb('created_at', '=', after), eb('id', '<', String(id))]),
          ]),
        );
      }
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return c.json(
        pageOf(rows, query.limit, (row) => [row.created_at.getTime(), row.id], toRepayment),
        200,
      );
    });
}
