import {
  afterIdOf,
  atLeastOneField,
  bearerSecurity,
  Conflict,
  createRouter,
  emitEvent,
  etagFor,
  FieldsRefused,
  Forbidden,
  IdempotencyKeyHeaderSchema,
  IfMatchHeaderSchema,
  idempotencyClaimOf,
  jsonBody,
  PreconditionFailed,
  pageById,
  pageQuerySchema,
  principalOf,
  problemResponses,
  requireExactIntegers,
  someOfFields,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { fetchProduct } from '../clients/catalog.js';
import { bondingFileComplete } from '../clients/students.js';
import { listLoans } from '../db/list-loans.js';
import { findLoan, instalmentsOf, lockLoan, recordHistory } from '../db/loans.js';
import type { LoanRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { isEditable, LOAN_STATUSES } from '../domain/loan-states.js';
import { minorUnits } from '../domain/money.js';
import { invalidTransition, loanNotFound, Unprocessable } from '../errors.js';
import { checkStudyEndDate, lendingColumnsFor } from '../lending/application-terms.js';
import { businessDate } from '../lending/lending-service.js';
import { amendPlan } from '../lending/plan-amendment.js';
import { planOf } from '../lending/tranche-application.js';
import { insertTranches } from '../lending/tranches.js';
import { assertMayAmend, isStaff, visibleLoan } from './access.js';
import {
  AcademicYearSchema,
  AmountSchema,
  LoanIdParamSchema,
  LoanSchema,
  PurposeSchema,
  pageSchema,
  StudyEndDateSchema,
  TermMonthsSchema,
  toLoan,
} from './schemas.js';

const TrancheRequestSchema = z
  .strictObject({
    termLabel: z.string().trim().min(1).max(60).openapi({ example: 'Semester 1, 2027/28' }),
    plannedDate: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).openapi({ example: '2027-09-01' }),
    tuition: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({
      description: 'Minor units paid to the institution (needs institutionId); 0 for none.',
    }),
    upkeep: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({
      description: "Minor units paid to the student's wallet; 0 for none.",
    }),
  })
  .openapi('TrancheRequest');
type TrancheRequest = z.infer<typeof TrancheRequestSchema>;

const CreateLoanSchema = someOfFields(
  z.strictObject({
    productId: z.uuid(),
    principal: AmountSchema.optional().openapi({
      description: 'Required without tranches; with them it is their total (leave it out, or make it match).',
    }),
    institutionId: z
      .uuid()
      .optional()
      .openapi({ description: "The institution (catalog): tuition's payee." }),
    programme: z.string().trim().min(1).max(200).optional().openapi({ example: 'BSc Computer Science' }),
    tranches: z.array(TrancheRequestSchema).min(1).max(16).optional().openapi({
      description:
        'The plan, one tranche per term in date order (a product with study terms). Without it: one tranche of the whole principal, all upkeep, released at approval.',
    }),
    termMonths: TermMonthsSchema,
    purpose: PurposeSchema,
    academicYear: AcademicYearSchema,
    studyEndDate: StudyEndDateSchema.optional(),
    studentId: z.uuid().optional().openapi({
      description:
        'The student (identity user id). Required for agents and admins; students apply for themselves.',
    }),
  }),
  ['principal', 'tranches'],
  'required without tranches',
).openapi('LoanApplication');

const AmendLoanSchema = atLeastOneField(
  z.strictObject({
    principal: AmountSchema.optional(),
    termMonths: TermMonthsSchema.optional(),
    purpose: PurposeSchema.optional(),
    academicYear: AcademicYearSchema.optional(),
    studyEndDate: StudyEndDateSchema.optional(),
    institutionId: z.uuid().optional(),
    programme: z.string().trim().min(1).max(200).optional(),
    tranches: z.array(TrancheRequestSchema).min(1).max(16).optional().openapi({
      description: 'A new plan, replacing the old one; the principal becomes its total.',
    }),
  }),
).openapi('LoanAmendment');

const ListQuerySchema = pageQuerySchema.extend({
  status: z.enum(LOAN_STATUSES).optional(),
  studentId: z.uuid().optional().openapi({ description: "Staff: one student's loans." }),
});

const loanResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const } } },
  content: { 'application/json': { schema: LoanSchema } },
});

const create = createRoute({
  method: 'post',
  path: '/loans',
  tags: ['loans'],
  summary:
    'Apply for a loan (student) or raise one for a student (agent, admin); checked against catalog and students',
  description:
    "A student applies for themself; staff name the studentId. The caller needs a verified e-mail (agents too). Catalog (product active, principal and term within its limits) and students (bonding file complete) are asked at once with the caller's token; the product's rate, grace period, study terms, currency and limits are copied onto the loan. A product with study terms needs the student's expected studyEndDate (not before today's business date): the loan then accrues interest daily and repays after studies and grace (docs/lending-model.md).",
  security: bearerSecurity,
  request: { headers: IdempotencyKeyHeaderSchema, body: jsonBody(CreateLoanSchema) },
  responses: {
    201: loanResponse('The loan, NEW, with the product’s terms copied onto it.'),
    ...problemResponses(400, 401, 403, 409, 503),
    422: {
      description:
        'product_not_found, product_inactive, principal_out_of_range, term_out_of_range, study_end_date_required, study_terms_not_offered, study_end_date_in_past, tranches_need_study_terms, programme_required, invalid_tranche_plan, principal_not_plan_total, institution_not_found, institution_archived, student_not_found, bonding_file_incomplete.',
    },
  },
});

const list = createRoute({
  method: 'get',
  path: '/loans',
  tags: ['loans'],
  summary: 'Loans, newest first: staff see all (filtered), a student their own',
  security: bearerSecurity,
  request: { query: ListQuerySchema },
  responses: {
    200: {
      description: 'A page of loans.',
      content: { 'application/json': { schema: pageSchema(LoanSchema, 'LoanPage') } },
    },
    ...problemResponses(400, 401, 403),
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/loans/{id}',
  tags: ['loans'],
  summary: 'One loan, with what is outstanding and in arrears once disbursed',
  description:
    "Staff, or the loan's student. Once disbursed it also has outstanding, arrears and daysPastDue; the answer carries its ETag.",
  security: bearerSecurity,
  request: { params: LoanIdParamSchema },
  responses: { 200: loanResponse('The loan.'), ...problemResponses(400, 401, 404) },
});

const amend = createRoute({
  method: 'patch',
  path: '/loans/{id}',
  tags: ['loans'],
  summary: 'Change the terms of a NEW loan (whoever raised it, or its student; If-Match required)',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(AmendLoanSchema) },
  responses: {
    200: loanResponse('The loan as changed.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 428),
    422: {
      description:
        'principal_out_of_range, term_out_of_range (the limits copied from the product), study_terms_not_offered, study_end_date_in_past, principal_not_plan_total (a tranche loan changes its principal through its plan), invalid_tranche_plan and the other plan codes of POST /loans.',
    },
  },
});

/** Principal and term within the limits the loan copied from its product. */
function checkLimits(
  limits: { minPrincipal: bigint; maxPrincipal: bigint; minTerm: number; maxTerm: number },
  principal: bigint,
  termMonths: number,
): void {
  if (principal < limits.minPrincipal || principal > limits.maxPrincipal) {
    throw new Unprocessable(
      'principal_out_of_range',
      `The principal must be between ${limits.minPrincipal} and ${limits.maxPrincipal} minor units.`,
      'body.principal',
    );
  }
  if (termMonths < limits.minTerm || termMonths > limits.maxTerm) {
    throw new Unprocessable(
      'term_out_of_range',
      `The term must be between ${limits.minTerm} and ${limits.maxTerm} months.`,
      'body.termMonths',
    );
  }
}

const loanLocation = (id: string) => `/api/v1/loans/${id}`;
const isDuplicateKey = (error: unknown) => (error as { code?: string }).code === 'ER_DUP_ENTRY';

export function loanRoutes(deps: LoansDeps) {
  const { db } = deps;

  /** The plan a PATCH gives a NEW loan, checked like an application's (its product read again). */
  const amendedPlan = async (
    token: string,
    loanId: string,
    body: { tranches?: TrancheRequest[]; institutionId?: string; programme?: string; academicYear?: string },
    today: string,
  ) => {
    const loan = await findLoan(db, loanId);
    if (!loan) throw loanNotFound(loanId);
    const product = await fetchProduct(deps, loan.product_id, token);
    if (!product)
      throw new Unprocessable('product_not_found', "The loan's product is gone.", 'body.tranches');
    return planOf(
      deps,
      {
        academicYear: body.academicYear ?? loan.academic_year,
        institutionId: body.institutionId ?? loan.institution_id ?? undefined,
        programme: body.programme ?? loan.programme ?? undefined,
        tranches: body.tranches,
      },
      product,
      today,
      token,
    );
  };
  const callerScope = (c: Context) => principalOf(c).userId;
  const signedIn = [deps.guards.require()];

  /** The stored loan as the API shows it, with its schedule's balances when disbursed. */
  const present = async (row: LoanRow) =>
    toLoan(row, (await instalmentsOf(db, [row.id])).get(row.id), await businessDate(deps));

  return createRouter()
    .openapi(
      {
        ...create,
        // Applying for money needs a verified e-mail (REQUIRE_VERIFIED_EMAIL), as moving it does.
        middleware: [
          deps.guards.require(),
          deps.guards.requireVerifiedEmail(),
          requireExactIntegers(),
          deps.idempotency.require(callerScope),
        ],
      },
      async (c) => {
        const caller = principalOf(c);
        const claim = idempotencyClaimOf(c);
        const body = c.req.valid('json');
        let studentId: string;
        if (caller.role === 'student') {
          if (body.studentId !== undefined && body.studentId !== caller.userId) {
            throw new Forbidden('not_own_loan', 'A student may only apply for themself.');
          }
          studentId = caller.userId;
        } else {
          if (body.studentId === undefined) {
            throw new FieldsRefused(
              'student_id_required',
              [{ field: 'body.studentId', message: 'required for agents and admins', code: 'required' }],
              'Name the student the loan is for.',
            );
          }
          studentId = body.studentId;
        }

        // Both checks before anything is written: a refusal or an outage leaves no loan behind.
        const product = await fetchProduct(deps, body.productId, caller.token);
        if (!product)
          throw new Unprocessable('product_not_found', 'There is no such product.', 'body.productId');
        if (!product.active || product.archived) {
          throw new Unprocessable('product_inactive', 'This product is not on offer.', 'body.productId');
        }
        const today = await businessDate(deps);
        const plan = await planOf(deps, body, product, today, caller.token);
        const principal = plan.principal;
        checkLimits(
          {
            minPrincipal: BigInt(product.minPrincipal),
            maxPrincipal: BigInt(product.maxPrincipal),
            minTerm: product.minTermMonths,
            maxTerm: product.maxTermMonths,
          },
          principal,
          body.termMonths,
        );
        const lending = lendingColumnsFor(product, body.studyEndDate, today);
        const complete = await bondingFileComplete(deps, studentId, caller.token);
        if (complete === null) {
          throw new Unprocessable('student_not_found', 'There is no such student.', 'body.studentId');
        }
        if (!complete) {
          throw new Unprocessable(
            'bonding_file_incomplete',
            "The student's bonding file needs personal details, a guardian and a primary bank account first.",
          );
        }

        const now = deps.now();
        const row: LoanRow = {
          id: uuidv7(now.getTime()),
          student_id: studentId,
          created_by: caller.userId,
          product_id: product.id,
          principal: principal.toString(),
          term_months: body.termMonths,
          purpose: body.purpose,
          academic_year: body.academicYear,
          currency: product.currency,
          annual_rate_bps: product.annualRateBps,
          grace_period_months: product.gracePeriodMonths,
          min_principal: String(product.minPrincipal),
          max_principal: String(product.maxPrincipal),
          min_term_months: product.minTermMonths,
          max_term_months: product.maxTermMonths,
          status: 'NEW',
          version: 1,
          decided_by: null,
          failure_reason: null,
          disbursed_at: null,
          disbursement_transfer_id: null,
          idempotency_key: claim.key,
          created_at: now,
          updated_at: now,
          ...lending,
          disbursement_method: plan.method,
          institution_id: plan.institutionId,
          programme: plan.programme,
          tranche_expiry_days: product.trancheExpiryDays,
          guarantors_required: product.guarantorsRequired,
        };
        const shown = toLoan(row, undefined, today);
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('loans').values(row).execute();
            await insertTranches(trx, row.id, plan.tranches, now);
            await recordHistory(trx, {
              loanId: row.id,
              from: null,
              to: 'NEW',
              actorId: caller.userId,
              reason: null,
              now,
            });
            await emitEvent(
              trx,
              {
                type: 'loan.created',
                version: 1,
                data: {
                  loanId: row.id,
                  studentId,
                  productId: product.id,
                  createdBy: caller.userId,
                  principal: { amountMinor: row.principal, currency: row.currency },
                },
              },
              { now },
            );
            await claim.complete(trx, {
              status: 201,
              body: shown,
              headers: { Location: loanLocation(row.id), ETag: etagFor(row.version) },
            });
          });
        } catch (error) {
          // The key record was purged but the loan it made is still here: never a second loan.
          if (isDuplicateKey(error)) {
            throw new Conflict('idempotency_key_reused', 'This Idempotency-Key already raised a loan.');
          }
          throw error;
        }
        // Counted after the commit; a replayed Idempotency-Key never reaches this handler.
        deps.loansMetrics.applications.inc({ raised_by: caller.role });
        c.header('Location', loanLocation(row.id));
        c.header('ETag', etagFor(row.version));
        return c.json(shown, 201);
      },
    )
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const query = c.req.valid('query');
      const staff = isStaff(caller);
      if (!staff && query.studentId && query.studentId !== caller.userId) {
        throw new Forbidden('role_not_allowed', "Only staff may list other students' loans.");
      }
      const rows = await listLoans(db, {
        studentId: staff ? query.studentId : caller.userId,
        status: query.status,
        limit: query.limit,
        after: afterIdOf(query.cursor),
      });
      const schedules = await instalmentsOf(
        db,
        rows.filter((row) => row.status === 'DISBURSED' || row.status === 'REPAID').map((row) => row.id),
      );
      const today = await businessDate(deps);
      return c.json(
        pageById(rows, query.limit, (row) => toLoan(row, schedules.get(row.id), today)),
        200,
      );
    })
    .openapi({ ...getOne, middleware: signedIn }, async (c) => {
      const row = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      c.header('ETag', etagFor(row.version));
      return c.json(await present(row), 200);
    })
    .openapi({ ...amend, middleware: [deps.guards.require(), requireExactIntegers()] }, async (c) => {
      const caller = principalOf(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const now = deps.now();
      const today = await businessDate(deps);
      // A new plan is checked against catalog before the transaction: no network call holds a row lock.
      const plan = body.tranches ? await amendedPlan(caller.token, id, body, today) : undefined;
      const updated = await db.transaction().execute(async (trx) => {
        const loan = await lockLoan(trx, id);
        if (!isStaff(caller) && loan.student_id !== caller.userId) throw loanNotFound(id);
        assertMayAmend(caller, loan, false);
        if (!isEditable(loan.status)) throw invalidTransition(loan.status, 'amend');
        if (loan.version !== expected) {
          throw new PreconditionFailed('etag_mismatch', 'The loan changed since you read it; read it again.');
        }
        const academicYear = body.academicYear ?? loan.academic_year;
        const planned = await amendPlan(
          trx,
          loan,
          {
            plan,
            principal: body.principal === undefined ? undefined : minorUnits(body.principal),
            academicYear,
          },
          now,
        );
        const principal = minorUnits(planned.principal ?? loan.principal);
        const termMonths = body.termMonths ?? loan.term_months;
        checkLimits(
          {
            minPrincipal: minorUnits(loan.min_principal),
            maxPrincipal: minorUnits(loan.max_principal),
            minTerm: loan.min_term_months,
            maxTerm: loan.max_term_months,
          },
          principal,
          termMonths,
        );
        if (body.studyEndDate !== undefined) {
          if (loan.interest_method !== 'daily') {
            throw new Unprocessable(
              'study_terms_not_offered',
              "This loan's product has no study terms: leave out studyEndDate.",
              'body.studyEndDate',
            );
          }
          checkStudyEndDate(body.studyEndDate, today);
        }
        const changes = {
          ...planned,
          study_end_date: body.studyEndDate ?? loan.study_end_date,
          term_months: termMonths,
          purpose: body.purpose ?? loan.purpose,
          academic_year: academicYear,
          version: loan.version + 1,
          updated_at: now,
        };
        await trx.updateTable('loans').set(changes).where('id', '=', id).execute();
        return { ...loan, ...changes };
      });
      c.header('ETag', etagFor(updated.version));
      return c.json(toLoan(updated, undefined, today), 200);
    });
}
