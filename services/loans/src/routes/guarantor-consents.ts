import { createRouter, DomainError, emitEvent, jsonBody, NotFound, problemResponses } from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { findLoan, lockLoan } from '../db/loans.js';
import type { GuarantorRow, LoanRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { toJsonAmount } from '../domain/money.js';
import { consentsOf, hashConsentCode } from '../lending/guarantors.js';
import { tranchesOf } from '../lending/tranches.js';

const tags = ['guarantors'];

const CodeParamSchema = z.object({
  code: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'code', in: 'path' }, description: 'The consent code from the e-mail.' }),
});

const ConsentSchema = z
  .object({
    guarantor: z.object({ firstName: z.string(), surname: z.string() }),
    studentName: z.string(),
    expiresAt: z.iso.datetime(),
    loan: z.object({
      principal: z.number().int().openapi({ description: 'Minor units.' }),
      currency: z.string(),
      termMonths: z.number().int(),
      annualRateBps: z.number().int(),
      tranches: z.array(
        z.object({
          number: z.number().int(),
          termLabel: z.string(),
          plannedDate: z.iso.date(),
          amount: z.number().int().openapi({ description: 'Tuition and upkeep, minor units.' }),
        }),
      ),
    }),
  })
  .openapi('GuarantorConsent');

const DecisionSchema = z
  .strictObject({ decision: z.enum(['accept', 'decline']) })
  .openapi('GuarantorDecision');

const codeProblems =
  'Unknown code: 404 consent_not_found; used, voided by new terms, expired, or the loan no longer open: 410 consent_used, consent_void, consent_expired, consent_closed.';

const show = createRoute({
  method: 'get',
  path: '/guarantor-consents/{code}',
  tags,
  summary: 'What a guarantor is asked to guarantee (public: the code is the credential); decides nothing',
  description: `E-mail scanners follow links, so reading never decides. ${codeProblems}`,
  request: { params: CodeParamSchema },
  responses: {
    200: {
      description: 'The loan and the guarantor.',
      content: { 'application/json': { schema: ConsentSchema } },
    },
    ...problemResponses(400, 404, 410),
  },
});

const decide = createRoute({
  method: 'post',
  path: '/guarantor-consents/{code}',
  tags,
  summary: 'Accept or decline to guarantee the loan, once (public: the code is the credential)',
  description: codeProblems,
  request: { params: CodeParamSchema, body: jsonBody(DecisionSchema) },
  responses: {
    200: {
      description: 'The decision recorded.',
      content: {
        'application/json': {
          schema: z.object({ status: z.enum(['CONSENTED', 'DECLINED']) }).openapi('GuarantorDecided'),
        },
      },
    },
    ...problemResponses(400, 404, 410),
  },
});

const gone = (code: string, detail: string) => new DomainError(410, code, 'Gone', { detail });

/** The one place that says whether a code may still be read or used. */
function assertOpen(
  row: GuarantorRow | undefined,
  loan: LoanRow | undefined,
  now: Date,
): asserts row is GuarantorRow {
  if (!row || !loan) throw new NotFound('consent_not_found', 'There is no such consent code.');
  if (row.status === 'VOID') {
    throw gone(
      'consent_void',
      "The loan's terms changed after this code was sent; a new one will be sent if you are asked again.",
    );
  }
  if (row.status !== 'REQUESTED') throw gone('consent_used', 'This consent code was used already.');
  if (row.expires_at.getTime() <= now.getTime())
    throw gone('consent_expired', 'This consent code has expired.');
  if (loan.status !== 'NEW') throw gone('consent_closed', 'This loan is no longer waiting for guarantors.');
}

export function guarantorConsentRoutes(deps: LoansDeps) {
  const { db } = deps;
  const byCode = (code: string) =>
    db
      .selectFrom('loan_guarantors')
      .selectAll()
      .where('code_hash', '=', hashConsentCode(code))
      .executeTakeFirst();

  return createRouter()
    .openapi(show, async (c) => {
      const row = await byCode(c.req.valid('param').code);
      const loan = row && (await findLoan(db, row.loan_id));
      assertOpen(row, loan, deps.now());
      const terms = loan as LoanRow;
      const tranches = await tranchesOf(db, terms.id);
      return c.json(
        {
          guarantor: { firstName: row.first_name, surname: row.surname },
          studentName: row.student_name,
          expiresAt: row.expires_at.toISOString(),
          loan: {
            principal: toJsonAmount(BigInt(terms.principal)),
            currency: terms.currency,
            termMonths: terms.term_months,
            annualRateBps: terms.annual_rate_bps,
            tranches: tranches.map((tranche) => ({
              number: tranche.number,
              termLabel: tranche.term_label,
              plannedDate: tranche.planned_date,
              amount: toJsonAmount(BigInt(tranche.tuition) + BigInt(tranche.upkeep)),
            })),
          },
        },
        200,
      );
    })
    .openapi(decide, async (c) => {
      const { code } = c.req.valid('param');
      const accept = c.req.valid('json').decision === 'accept';
      const found = await byCode(code);
      const now = deps.now();
      const status = accept ? ('CONSENTED' as const) : ('DECLINED' as const);
      await db.transaction().execute(async (trx) => {
        // The loan first, as every change to a loan locks it; then the row as it is under that lock.
        const loan = found ? await lockLoan(trx, found.loan_id) : undefined;
        const row = found
          ? await trx
              .selectFrom('loan_guarantors')
              .selectAll()
              .where('id', '=', found.id)
              .forUpdate()
              .executeTakeFirst()
          : undefined;
        assertOpen(row, loan, now);
        const terms = loan as LoanRow;
        await trx
          .updateTable('loan_guarantors')
          .set({ status, decided_at: now, updated_at: now })
          .where('id', '=', row.id)
          .where('status', '=', 'REQUESTED')
          .execute();
        const data = {
          loanId: terms.id,
          studentId: terms.student_id,
          guarantorId: row.id,
          consented: await consentsOf(trx, terms.id),
          required: terms.guarantors_required,
        };
        await emitEvent(
          trx,
          accept
            ? { type: 'loan.guarantorConsented', version: 1, data }
            : { type: 'loan.guarantorDeclined', version: 1, data },
          { now },
        );
      });
      return c.json({ status }, 200);
    });
}
