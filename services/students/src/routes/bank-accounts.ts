import {
  bearerSecurity,
  createRouter,
  etagFor,
  jsonBody,
  principalOf,
  problemResponses,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { bankAccountTaken, getBankAccount, listBankAccounts, stale, uniqueOr } from '../db/bonding-file.js';
import { ensureOnePrimary, inFileTransaction, makeOnlyPrimary } from '../db/primary.js';
import type { StudentsDeps } from '../deps.js';
import { BankAccountInput, BankAccountSchema, IdParam, toBankAccount } from './schemas.js';

const tags = ['students'];
const params = IdParam('bank account');
const accountResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const } } },
  content: { 'application/json': { schema: BankAccountSchema } },
});

const list = createRoute({
  method: 'get',
  path: '/students/me/bank-accounts',
  tags,
  summary: 'My bank accounts, numbers masked (student)',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'Bank accounts.',
      content: { 'application/json': { schema: z.object({ items: z.array(BankAccountSchema) }) } },
    },
    ...problemResponses(401, 403),
  },
});
const add = createRoute({
  method: 'post',
  path: '/students/me/bank-accounts',
  tags,
  summary: 'Add a bank account; the first is primary (student)',
  security: bearerSecurity,
  request: { body: jsonBody(BankAccountInput) },
  responses: { 201: accountResponse('Added.'), ...problemResponses(400, 401, 403, 409) },
});
const replace = createRoute({
  method: 'put',
  path: '/students/me/bank-accounts/{id}',
  tags,
  summary: 'Replace a bank account (student; If-Match required)',
  security: bearerSecurity,
  request: { params, body: jsonBody(BankAccountInput) },
  responses: { 200: accountResponse('Replaced.'), ...problemResponses(400, 401, 403, 404, 409, 412, 428) },
});
const remove = createRoute({
  method: 'delete',
  path: '/students/me/bank-accounts/{id}',
  tags,
  summary: 'Remove a bank account; if it was primary, the oldest remaining becomes primary (student)',
  security: bearerSecurity,
  request: { params },
  responses: { 204: { description: 'Removed.' }, ...problemResponses(400, 401, 403, 404) },
});

export function bankAccountRoutes(deps: StudentsDeps) {
  const { db } = deps;
  const student = [deps.guards.require('student')];
  const columns = (body: z.infer<typeof BankAccountInput>) => {
    const number = deps.sensitive.bankAccount(body.bankName, body.accountNumber);
    return {
      bank_name: body.bankName,
      branch: body.branch,
      account_name: body.accountName,
      account_number_sealed: number.sealed,
      account_number_index: number.index,
      account_number_last4: number.last4,
    };
  };
  const respond = async (studentId: string, id: string) =>
    toBankAccount(await getBankAccount(db, studentId, id));

  return createRouter()
    .openapi({ ...list, middleware: student }, async (c) =>
      c.json({ items: (await listBankAccounts(db, principalOf(c).userId)).map(toBankAccount) }, 200),
    )
    .openapi({ ...add, middleware: student }, async (c) => {
      const body = c.req.valid('json');
      const studentId = principalOf(c).userId;
      const now = deps.now();
      const id = uuidv7(now.getTime());
      await uniqueOr(
        () =>
          inFileTransaction(db, async (trx) => {
            await trx
              .insertInto('bank_accounts')
              .values({
                id,
                student_id: studentId,
                ...columns(body),
                is_primary: 0,
                created_at: now,
                updated_at: now,
                version: 1,
              })
              .execute();
            if (body.primary) await makeOnlyPrimary(trx, 'bank_accounts', studentId, id);
            else await ensureOnePrimary(trx, 'bank_accounts', studentId);
          }),
        bankAccountTaken,
      );
      const account = await respond(studentId, id);
      c.header('Location', `/api/v1/students/me/bank-accounts/${id}`);
      c.header('ETag', etagFor(account.version));
      return c.json(account, 201);
    })
    .openapi({ ...replace, middleware: student }, async (c) => {
      const body = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await getBankAccount(db, studentId, id);
      await uniqueOr(
        () =>
          inFileTransaction(db, async (trx) => {
            const result = await trx
              .updateTable('bank_accounts')
              .set({ ...columns(body), updated_at: deps.now(), version: expected + 1 })
              .where('id', '=', id)
              .where('student_id', '=', studentId)
              .where('version', '=', expected)
              .executeTakeFirst();
            if (Number(result.numUpdatedRows) !== 1) throw stale();
            if (body.primary) await makeOnlyPrimary(trx, 'bank_accounts', studentId, id);
          }),
        bankAccountTaken,
      );
      const account = await respond(studentId, id);
      c.header('ETag', etagFor(account.version));
      return c.json(account, 200);
    })
    .openapi({ ...remove, middleware: student }, async (c) => {
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await getBankAccount(db, studentId, id);
      await inFileTransaction(db, async (trx) => {
        await trx
          .deleteFrom('bank_accounts')
          .where('id', '=', id)
          .where('student_id', '=', studentId)
          .execute();
        await ensureOnePrimary(trx, 'bank_accounts', studentId);
      });
      return c.body(null, 204);
    });
}
