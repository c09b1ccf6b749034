import {
  bearerSecurity,
  createRouter,
  decodeCursor,
  NotFound,
  pageOf,
  pageQuerySchema,
  principalOf,
  problemResponses,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import type { StudentsDeps } from '../deps.js';
import { loadBondingFile } from './bonding-file.js';
import { BondingFileSchema, StudentSummarySchema, toSummary } from './schemas.js';

const tags = ['students'];

const search = createRoute({
  method: 'get',
  path: '/students',
  tags,
  summary: 'Find students by the start of a name or registration number (agent, admin)',
  security: bearerSecurity,
  request: {
    query: pageQuerySchema.extend({
      q: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .openapi({ description: 'Start of a first name, last name or registration number.' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of students.',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(StudentSummarySchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

const readFile = createRoute({
  method: 'get',
  path: '/students/{studentId}',
  tags,
  summary: "A student's bonding file: staff read any (and are logged), a student only their own",
  description: "Another student's id answers 404.",
  security: bearerSecurity,
  request: {
    params: z.object({
      studentId: z
        .uuid({ error: 'must be a user id (UUID)' })
        .openapi({ param: { name: 'studentId', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'The file.', content: { 'application/json': { schema: BondingFileSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

export function staffRoutes(deps: StudentsDeps) {
  const { db } = deps;
  return createRouter()
    .openapi({ ...search, middleware: [deps.guards.require('agent', 'admin')] }, async (c) => {
      const { q, limit, cursor } = c.req.valid('query');
      let query = db
        .selectFrom('student_directory')
        .selectAll()
        .orderBy('user_id', 'desc')
        .limit(limit + 1);
      if (q) {
        const prefix = likePrefix(q);
        query = query.where((eb) =>
          eb.or([
            eb('reg_number', 'like', prefix),
            eb('first_name', 'like', prefix),
            eb('last_name', 'like', prefix),
          ]),
        );
      }
      if (cursor) query = query.where('user_id', '<', String(decodeCursor(cursor, 1)[0]));
      return c.json(
        pageOf(await query.execute(), limit, (row) => [row.user_id], toSummary),
        200,
      );
    })
    .openapi({ ...readFile, middleware: [deps.guards.require()] }, async (c) => {
      const caller = principalOf(c);
      const { studentId } = c.req.valid('param');
      // A student asking for anyone else's file learns nothing, not even that it exists.
      if (caller.role === 'student' && caller.userId !== studentId)
        throw new NotFound('student_not_found', 'No such student.');
      const file = await loadBondingFile(db, studentId);
      if (!file.student && !file.personal && file.guardians.length === 0 && file.bankAccounts.length === 0) {
        throw new NotFound('student_not_found', 'No such student.');
      }
      if (caller.role !== 'student') {
        await db
          .insertInto('file_access_log')
          .values({
            staff_id: caller.userId,
            staff_role: caller.role,
            student_id: studentId,
            accessed_at: deps.now(),
          })
          .execute();
      }
      return c.json(file, 200);
    });
}
