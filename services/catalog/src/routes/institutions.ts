import {
  bearerSecurity,
  createRouter,
  etagFor,
  IfMatchHeaderSchema,
  jsonBody,
  pageById,
  pageQuerySchema,
  principalOf,
  problemResponses,
  uuidv7,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute, z } from '@hono/zod-openapi';
import {
  archiveInstitution,
  getInstitution,
  insertInstitution,
  listInstitutions,
  updateInstitution,
} from '../db/institutions.js';
import type { InstitutionRow } from '../db/schema.js';
import type { CatalogDeps } from '../deps.js';
import {
  type InstitutionFields,
  InstitutionFieldsSchema,
  InstitutionIdParamSchema,
  InstitutionPatchSchema,
  InstitutionSchema,
  toInstitution,
} from './institution-schemas.js';
import { versionedResponse } from './versioned.js';

const InstitutionPageSchema = z
  .object({ items: z.array(InstitutionSchema), nextCursor: z.string().nullable() })
  .openapi('InstitutionPage');
const institutionResponse = (description: string) => versionedResponse(description, InstitutionSchema);

const list = createRoute({
  method: 'get',
  path: '/institutions',
  tags: ['institutions'],
  summary: 'Institutions loans can pay tuition to, newest first (public)',
  description: 'Archived institutions never appear.',
  request: { query: pageQuerySchema },
  responses: {
    200: {
      description: 'A page of institutions.',
      content: { 'application/json': { schema: InstitutionPageSchema } },
    },
    ...problemResponses(400),
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/institutions/{id}',
  tags: ['institutions'],
  summary: 'One institution, archived ones included (public)',
  description:
    "Archived institutions stay readable (archived: true) so that the loans that pay them do; the answer carries the institution's ETag.",
  request: { params: InstitutionIdParamSchema },
  responses: { 200: institutionResponse('The institution.'), ...problemResponses(400, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/institutions',
  tags: ['institutions'],
  summary: 'Add an institution (admin)',
  description: 'The code is unique (409 institution_code_taken); the country defaults to MW.',
  security: bearerSecurity,
  request: { body: jsonBody(InstitutionFieldsSchema) },
  responses: { 201: institutionResponse('Created.'), ...problemResponses(400, 401, 403, 409) },
});

const replace = createRoute({
  method: 'put',
  path: '/institutions/{id}',
  tags: ['institutions'],
  summary: 'Replace an institution (admin; If-Match required)',
  description: 'Without If-Match: 428; with a stale ETag: 412; an archived institution: 409.',
  security: bearerSecurity,
  request: {
    params: InstitutionIdParamSchema,
    headers: IfMatchHeaderSchema,
    body: jsonBody(InstitutionFieldsSchema),
  },
  responses: {
    200: institutionResponse('Replaced.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 428),
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/institutions/{id}',
  tags: ['institutions'],
  summary: 'Change some fields of an institution (admin; If-Match required)',
  description: 'Without If-Match: 428; with a stale ETag: 412; an archived institution: 409.',
  security: bearerSecurity,
  request: {
    params: InstitutionIdParamSchema,
    headers: IfMatchHeaderSchema,
    body: jsonBody(InstitutionPatchSchema),
  },
  responses: {
    200: institutionResponse('Changed.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 428),
  },
});

const archive = createRoute({
  method: 'delete',
  path: '/institutions/{id}',
  tags: ['institutions'],
  summary:
    'Archive an institution: it leaves the list, loans that pay it keep reading it (admin; If-Match required)',
  security: bearerSecurity,
  request: { params: InstitutionIdParamSchema, headers: IfMatchHeaderSchema },
  responses: { 204: { description: 'Archived.' }, ...problemResponses(400, 401, 403, 404, 409, 412, 428) },
});

function fieldsOf(row: InstitutionRow): InstitutionFields {
  return { code: row.code, name: row.name, country: row.country, contactEmail: row.contact_email };
}

export function institutionRoutes(deps: CatalogDeps) {
  const { db } = deps;
  // Institutions receive tuition money: only admins say who they are.
  const adminOnly = [deps.guards.require('admin')];

  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const rows = await listInstitutions(db, query);
      return c.json(pageById(rows, query.limit, toInstitution), 200);
    })
    .openapi(getOne, async (c) => {
      const row = await getInstitution(db, c.req.valid('param').id);
      c.header('ETag', etagFor(row.version));
      return c.json(toInstitution(row), 200);
    })
    .openapi({ ...create, middleware: adminOnly }, async (c) => {
      const fields = c.req.valid('json');
      const now = deps.now();
      const id = uuidv7(now.getTime());
      await insertInstitution(db, id, fields, principalOf(c).userId, now);
      const row = await getInstitution(db, id);
      c.header('Location', `/api/v1/institutions/${id}`);
      c.header('ETag', etagFor(row.version));
      return c.json(toInstitution(row), 201);
    })
    .openapi({ ...replace, middleware: adminOnly }, async (c) => {
      const fields = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const current = await getInstitution(db, c.req.valid('param').id);
      await updateInstitution(db, current, expected, fields, principalOf(c).userId, deps.now());
      const row = await getInstitution(db, current.id);
      c.header('ETag', etagFor(row.version));
      return c.json(toInstitution(row), 200);
    })
    .openapi({ ...patch, middleware: adminOnly }, async (c) => {
      const changes = c.req.valid('json');
      const expected = versionFromIfMatch(c);
      const current = await getInstitution(db, c.req.valid('param').id);
      const fields = { ...fieldsOf(current), ...changes };
      await updateInstitution(db, current, expected, fields, principalOf(c).userId, deps.now());
      const row = await getInstitution(db, current.id);
      c.header('ETag', etagFor(row.version));
      return c.json(toInstitution(row), 200);
    })
    .openapi({ ...archive, middleware: adminOnly }, async (c) => {
      const expected = versionFromIfMatch(c);
      const current = await getInstitution(db, c.req.valid('param').id);
      await archiveInstitution(db, current, expected, principalOf(c).userId, deps.now());
      return c.body(null, 204);
    });
}
