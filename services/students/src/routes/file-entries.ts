import {
  bearerSecurity,
  Conflict,
  createRouter,
  etagFor,
  IfMatchHeaderSchema,
  jsonBody,
  principalOf,
  problemResponses,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import { stale, uniqueOr } from '../db/bonding-file.js';
import { writeToFile } from '../db/file-lock.js';
import { countEntries, ensureOnePrimary, makeOnlyPrimary, type WithPrimary } from '../db/primary.js';
import type { StudentsDeps } from '../deps.js';
import { IdParam } from './schemas.js';

type Db = StudentsDeps['db'];

/**
 * Guardians and bank accounts are the same kind of thing on a bonding file: a list the student keeps,
 * each entry versioned (ETag / If-Match) and exactly one of them primary. This builds the five routes
 * of one such list; what differs (columns, how a row is shown, what is unique) comes with the kind.
 */
export interface FileEntryKind<Input extends z.ZodType, Output extends z.ZodType, Row> {
  table: WithPrimary;
  /** The path segment under /students/me, e.g. 'bank-accounts'. */
  segment: string;
  /** Singular, for summaries: 'bank account'. */
  noun: string;
  /** Summary of the list route. */
  listSummary: string;
  /** How many entries one student may keep (domain/file-limits.ts); one more is a 409. */
  maxEntries: number;
  input: Input;
  output: Output;
  /** The row's columns from a request body (the service seals what must be sealed here). */
  columns(body: z.infer<Input>): Record<string, unknown>;
  list(db: Db, studentId: string): Promise<Row[]>;
  /** The student's own entry, or a 404. */
  get(db: Db, studentId: string, id: string): Promise<Row>;
  present(row: Row): z.infer<Output> & { version: number };
  /** The 409 a unique-key violation means, for kinds with a unique column. */
  conflict?: () => Conflict;
}

export function fileEntryRoutes<Input extends z.ZodType, Output extends z.ZodType, Row>(
  deps: StudentsDeps,
  kind: FileEntryKind<Input, Output, Row>,
) {
  const { db } = deps;
  const tags = ['students'];
  const path = `/students/me/${kind.segment}`;
  const params = IdParam(kind.noun);
  // Typed as a plain object schema for the route definitions: TypeScript cannot compute the request
  // types of a generic schema; the kind's own type comes back where the body is read.
  const body = jsonBody(kind.input as unknown as z.ZodObject);
  const conflicts = kind.conflict ? ([409] as const) : ([] as const);
  const listFull = () =>
    new Conflict(
      `${kind.noun.replaceAll(' ', '_')}_limit_reached`,
      `A bonding file holds at most ${kind.maxEntries} ${kind.noun}s; remove one first.`,
    );
  const entryResponse = (description: string) => ({
    description,
    headers: { ETag: { schema: { type: 'string' as const } } },
    content: { 'application/json': { schema: kind.output } },
  });
  const student = [deps.guards.require('student')];
  const write = <T>(work: () => Promise<T>) => (kind.conflict ? uniqueOr(work, kind.conflict) : work());
  const reply = async (studentId: string, id: string) => kind.present(await kind.get(db, studentId, id));
  const isPrimary = (input: unknown) => (input as { primary?: boolean }).primary === true;

  const list = createRoute({
    method: 'get',
    path,
    tags,
    summary: `${kind.listSummary} (student)`,
    security: bearerSecurity,
    responses: {
      200: {
        description: `The ${kind.noun} list.`,
        content: { 'application/json': { schema: z.object({ items: z.array(kind.output) }) } },
      },
      ...problemResponses(401, 403),
    },
  });
  const add = createRoute({
    method: 'post',
    path,
    tags,
    summary: `Add a ${kind.noun}; the first is primary; at most ${kind.maxEntries} (student)`,
    description:
      `Exactly one ${kind.noun} is primary. One more than ${kind.maxEntries} answers 409 ` +
      `${kind.noun.replaceAll(' ', '_')}_limit_reached.`,
    security: bearerSecurity,
    request: { body },
    responses: { 201: entryResponse('Added.'), ...problemResponses(400, 401, 403, 409) },
  });
  const read = createRoute({
    method: 'get',
    path: `${path}/{id}`,
    tags,
    summary: `One of my ${kind.noun} entries (student)`,
    security: bearerSecurity,
    request: { params },
    responses: { 200: entryResponse(`The ${kind.noun}.`), ...problemResponses(400, 401, 403, 404) },
  });
  const replace = createRoute({
    method: 'put',
    path: `${path}/{id}`,
    tags,
    summary: `Replace a ${kind.noun} (student; If-Match required)`,
    security: bearerSecurity,
    request: { params, headers: IfMatchHeaderSchema, body },
    responses: {
      200: entryResponse('Replaced.'),
      ...problemResponses(400, 401, 403, 404, ...conflicts, 412, 428),
    },
  });
  const remove = createRoute({
    method: 'delete',
    path: `${path}/{id}`,
    tags,
    summary: `Remove a ${kind.noun}; if it was primary, the oldest remaining becomes primary (student)`,
    security: bearerSecurity,
    request: { params },
    responses: { 204: { description: 'Removed.' }, ...problemResponses(400, 401, 403, 404) },
  });

  // The response bodies are typed by the kind's schema, which TypeScript cannot follow through the
  // generic route definitions: `as never` hands them to c.json unchecked (the schema tests check them).
  return createRouter()
    .openapi({ ...list, middleware: student }, async (c) =>
      c.json({ items: (await kind.list(db, principalOf(c).userId)).map(kind.present) } as never, 200),
    )
    .openapi({ ...add, middleware: student }, async (c) => {
      const input = c.req.valid('json') as z.infer<Input>;
      const studentId = principalOf(c).userId;
      const now = deps.now();
      const id = uuidv7(now.getTime());
      await write(() =>
        writeToFile(db, studentId, now, async (trx) => {
          if ((await countEntries(trx, kind.table, studentId)) >= kind.maxEntries) throw listFull();
          await trx
            .insertInto(kind.table)
            .values({
              id,
              student_id: studentId,
              ...kind.columns(input),
              is_primary: 0,
              created_at: now,
              updated_at: now,
              version: 1,
            } as never)
            .execute();
          if (isPrimary(input)) await makeOnlyPrimary(trx, kind.table, studentId, id);
          else await ensureOnePrimary(trx, kind.table, studentId);
        }),
      );
      const entry = await reply(studentId, id);
      c.header('Location', `/api/v1${path}/${id}`);
      c.header('ETag', etagFor(entry.version));
      return c.json(entry as never, 201);
    })
    .openapi({ ...read, middleware: student }, async (c) => {
      const entry = await reply(principalOf(c).userId, c.req.valid('param').id);
      c.header('ETag', etagFor(entry.version));
      return c.json(entry as never, 200);
    })
    .openapi({ ...replace, middleware: student }, async (c) => {
      const input = c.req.valid('json') as z.infer<Input>;
      const expected = versionFromIfMatch(c);
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await kind.get(db, studentId, id);
      const now = deps.now();
      await write(() =>
        writeToFile(db, studentId, now, async (trx) => {
          const result = await trx
            .updateTable(kind.table)
            .set({ ...kind.columns(input), updated_at: now, version: expected + 1 } as never)
            .where('id', '=', id)
            .where('student_id', '=', studentId)
            .where('version', '=', expected)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) throw stale();
          if (isPrimary(input)) await makeOnlyPrimary(trx, kind.table, studentId, id);
        }),
      );
      const entry = await reply(studentId, id);
      c.header('ETag', etagFor(entry.version));
      return c.json(entry as never, 200);
    })
    .openapi({ ...remove, middleware: student }, async (c) => {
      const studentId = principalOf(c).userId;
      const { id } = c.req.valid('param');
      await kind.get(db, studentId, id);
      await writeToFile(db, studentId, deps.now(), async (trx) => {
        await trx.deleteFrom(kind.table).where('id', '=', id).where('student_id', '=', studentId).execute();
        await ensureOnePrimary(trx, kind.table, studentId);
      });
      return c.body(null, 204);
    });
}
