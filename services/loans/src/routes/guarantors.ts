import {
  bearerSecurity,
  Conflict,
  createRouter,
  emitEvent,
  jsonBody,
  principalOf,
  problemResponses,
  uuidv7,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { guardianOf } from '../clients/guardians.js';
import { lockLoan } from '../db/loans.js';
import { GUARANTOR_STATUSES, type GuarantorRow } from '../db/schema.js';
import type { LoansDeps } from '../deps.js';
import { invalidTransition, loanNotFound, Unprocessable } from '../errors.js';
import { CONSENT_DAYS, hashConsentCode, maskEmail, newConsentCode } from '../lending/guarantors.js';
import { isStaff, visibleLoan } from './access.js';
import { LoanIdParamSchema } from './schemas.js';

const tags = ['guarantors'];

const GuarantorSchema = z
  .object({
    id: z.uuid(),
    guardianId: z.uuid(),
    firstName: z.string(),
    surname: z.string(),
    homeVillage: z.string(),
    emailMasked: z.string().openapi({ example: 'c•••@example.mw' }),
    status: z.enum(GUARANTOR_STATUSES),
    expiresAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Guarantor');

const toGuarantor = (row: GuarantorRow) => ({
  id: row.id,
  guardianId: row.guardian_id,
  firstName: row.first_name,
  surname: row.surname,
  homeVillage: row.home_village,
  emailMasked: row.email_masked,
  status: row.status,
  expiresAt: row.expires_at.toISOString(),
  decidedAt: row.decided_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});

const NameGuarantorSchema = z
  .strictObject({ guardianId: z.uuid({ error: 'must be a guardian id (UUID)' }) })
  .openapi('NameGuarantor');

const name = createRoute({
  method: 'post',
  path: '/loans/{id}/guarantors',
  tags,
  summary: "Name one of the student's guardians as a guarantor of a NEW loan (the loan's student, staff)",
  description:
    "The guardian must be on the student's bonding file with an e-mail address (422 naming body.guardianId), " +
    "not named already (409 guarantor_already_named), and within the product's guarantorsRequired (409 " +
    'guarantor_limit_reached). The guardian is e-mailed a one-time consent code, valid 14 days.',
  security: bearerSecurity,
  request: { params: LoanIdParamSchema, body: jsonBody(NameGuarantorSchema) },
  responses: {
    201: { description: 'Named and asked.', content: { 'application/json': { schema: GuarantorSchema } } },
    ...problemResponses(400, 401, 404, 409, 422, 503),
  },
});

const list = createRoute({
  method: 'get',
  path: '/loans/{id}/guarantors',
  tags,
  summary: "A loan's guarantors, e-mail masked, never a code (staff, or the loan's student)",
  security: bearerSecurity,
  request: { params: LoanIdParamSchema },
  responses: {
    200: {
      description: 'Every guarantor named, oldest first (declined and voided ones included).',
      content: {
        'application/json': { schema: z.object({ items: z.array(GuarantorSchema) }).openapi('Guarantors') },
      },
    },
    ...problemResponses(400, 401, 404),
  },
});

export function guarantorRoutes(deps: LoansDeps) {
  const { db } = deps;
  const signedIn = [deps.guards.require()];

  return createRouter()
    .openapi({ ...name, middleware: signedIn }, async (c) => {
      const caller = principalOf(c);
      const { id } = c.req.valid('param');
      const { guardianId } = c.req.valid('json');
      const seen = await visibleLoan(db, caller, id);
      if (seen.status !== 'NEW') throw invalidTransition(seen.status, 'name guarantors');
      // Read before the transaction: no network call while the loan's row is locked.
      const found = await guardianOf(deps, seen.student_id, guardianId, caller.token);
      if (!found) {
        throw new Unprocessable(
          'guardian_not_found',
          "This is not one of the student's guardians.",
          'body.guardianId',
        );
      }
      const { guardian, studentName } = found;
      if (!guardian.email) {
        throw new Unprocessable(
          'guardian_email_missing',
          'This guardian has no e-mail address on the bonding file to send the consent code to.',
          'body.guardianId',
        );
      }
      const email = guardian.email;
      const now = deps.now();
      const code = newConsentCode();
      const row: GuarantorRow = {
        id: uuidv7(now.getTime()),
        loan_id: id,
        guardian_id: guardianId,
        first_name: guardian.firstName,
        surname: guardian.surname,
        home_village: guardian.homeVillage,
        student_name: studentName,
        email_masked: maskEmail(email),
        status: 'REQUESTED',
        code_hash: hashConsentCode(code),
        expires_at: new Date(now.getTime() + CONSENT_DAYS * 86_400_000),
        requested_by: caller.userId,
        decided_at: null,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        const loan = await lockLoan(trx, id);
        if (!isStaff(caller) && loan.student_id !== caller.userId) throw loanNotFound(id);
        if (loan.status !== 'NEW') throw invalidTransition(loan.status, 'name guarantors');
        // A request left unanswered past its expiry holds no place: the guardian may be asked again.
        const open = await trx
          .selectFrom('loan_guarantors')
          .select('guardian_id')
          .where('loan_id', '=', id)
          .where((eb) =>
            eb.or([
              eb('status', '=', 'CONSENTED'),
              eb.and([eb('status', '=', 'REQUESTED'), eb('expires_at', '>', now)]),
            ]),
          )
          .execute();
        if (open.some((entry) => entry.guardian_id === guardianId)) {
          throw new Conflict('guarantor_already_named', 'This guardian is already a guarantor of this loan.');
        }
        if (open.length >= loan.guarantors_required) {
          throw new Conflict(
            'guarantor_limit_reached',
            `This loan takes ${loan.guarantors_required} guarantor(s), and that many are named.`,
            { extensions: { required: loan.guarantors_required } },
          );
        }
        await trx.insertInto('loan_guarantors').values(row).execute();
        await emitEvent(
          trx,
          {
            type: 'loan.guarantorRequested',
            version: 1,
            data: {
              loanId: id,
              studentId: loan.student_id,
              guarantorId: row.id,
              firstName: guardian.firstName,
              surname: guardian.surname,
              email,
              consentCode: code,
              expiresAt: row.expires_at.toISOString(),
              principal: { amountMinor: loan.principal, currency: loan.currency },
              termMonths: loan.term_months,
            },
          },
          { now },
        );
      });
      c.header('Location', `/api/v1/loans/${id}/guarantors`);
      return c.json(toGuarantor(row), 201);
    })
    .openapi({ ...list, middleware: signedIn }, async (c) => {
      const loan = await visibleLoan(db, principalOf(c), c.req.valid('param').id);
      const rows = await db
        .selectFrom('loan_guarantors')
        .selectAll()
        .where('loan_id', '=', loan.id)
        .orderBy('id')
        .execute();
      return c.json({ items: rows.map(toGuarantor) }, 200);
    });
}
