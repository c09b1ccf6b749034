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
import { getGuardian, listGuardians, stale } from '../db/bonding-file.js';
import { ensureOnePrimary, inFileTransaction, makeOnlyPrimary } from '../db/primary.js';
import type { StudentsDeps } from '../deps.js';
import { GuardianInput, GuardianSchema, IdParam, toGuardian } from './schemas.js';

const tags = ['students'];
const params = IdParam('guardian');
const guardianResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const } } },
  content: { 'application/json': { schema: GuardianSchema } },
});

const list = createRoute({
  method: 'get',
  path: '/students/me/guardians',
  tags,
  summary: 'My guardians and parents (student)',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'Guardians.',
      content: { 'application/json': { schema: z.object({ items: z.array(GuardianSchema) }) } },
    },
    ...problemResponses(401, 403),
  },
});
const add = createRoute({
  method: 'post',
  path: '/students/me/guardians',
  tags,
  summary: 'Add a guardian; the first is primary (student)',
  security: bearerSecurity,
  request: { body: jsonBody(GuardianInput) },
  responses: { 201: guardianResponse('Added.'), ...problemResponses(400, 401, 403) },
});
const read = createRoute({
  method: 'get',
  path: '/students/me/guardians/{id}',
  tags,
  summary: 'One of my guardians (student)',
  security: bearerSecurity,
  request: { params },
  responses: { 200: guardianResponse('The guardian.'), ...problemResponses(400, 401, 403, 404) },
});
const replace = createRoute({
  method: 'put',
  path: '/students/me/guardians/{id}',
  tags,
  summary: 'Replace a guardian (student; If-Match required)',
  security: bearerSecurity,
  request: { params, body: jsonBody(GuardianInput) },
  responses: { 200: guardianResponse('Replaced.'), ...problemResponses(400, 401, 403, 404, 412, 428) },
});
const remove = createRoute({
  method: 'delete',
  path: '/students/me/guardians/{id}',
  tags,
  summary: 'Remove a guardian; if it was primary, the oldest remaining becomes primary (student)',
  security: bearerSecurity,
  request: { params },
  responses: { 204: { description: 'Removed.' }, ...problemResponses(400, 401, 403, 404) },
});

export function guardianRoutes(deps: StudentsDeps) {
  const { db } = deps;
  const student = [deps.guards.require('student')];
  const columns = (body: z.infer<typeof GuardianInput>) => ({
    first_name: body.firstName,
    surname: body.surname,
    relation: body.relation,
    phone: body.phone,
    email: body.email?.toLowerCase() ?? null,
    occupation: body.occupation,
    home_village: body.homeVillage,
  });
  const respond = async (studentId: string, id: string) => toGuardian(await getGuardian(db, studentId, id));

  return createRouter()
    .openapi({ ...list, middleware: student }, async (c) =>
      c.json({ items: (await listGuardians(db, principalOf(c).userId)).map(toGuardian) }, 200),
    )
    .openapi({ ...add, middleware: student }, async (c) => {
      const body = c.req.valid('json');
      const studentId = principalOf(c).userId;
      const now = deps.now();
      const id = uuidv7(now.getTime());
      await inFileTransaction(db, async (trx) => {
        await trx
          .insertInto('guardians')
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
        if (body.primary) await makeOnlyPrimary(trx, 'guardians', studentId, id);
        else await ensureOnePrimary(trx, 'guardians', studentId);
      });
      const guardian = await respond(studentId, id);
      c.header('Location', `/api/v1/students/me/guardians/${id}`);
      c.header('ETag', etagFor(guardian.version));
      return c.json(guardian, 201);
    })
    .openapi({ ...read, middleware: student }, async (c) => {
      const guardian = await respond(principalOf(c).userId, c.req.valid('param').id);
      c.header('ETag', etagFor(guardian.version));
      return c.json(guardian, 200);
    })
    .openapi({ ...replace, middleware: student }, async (c) => {
      const body = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await getGuardian(db, studentId, id);
      await inFileTransaction(db, async (trx) => {
        const result = await trx
          .updateTable('guardians')
          .set({ ...columns(body), updated_at: deps.now(), version: expected + 1 })
          .where('id', '=', id)
          .where('student_id', '=', studentId)
          .where('version', '=', expected)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw stale();
        if (body.primary) await makeOnlyPrimary(trx, 'guardians', studentId, id);
      });
      const guardian = await respond(studentId, id);
      c.header('ETag', etagFor(guardian.version));
      return c.json(guardian, 200);
    })
    .openapi({ ...remove, middleware: student }, async (c) => {
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await getGuardian(db, studentId, id);
      await inFileTransaction(db, async (trx) => {
        await trx.deleteFrom('guardians').where('id', '=', id).where('student_id', '=', studentId).execute();
        await ensureOnePrimary(trx, 'guardians', studentId);
      });
      return c.body(null, 204);
    });
}
