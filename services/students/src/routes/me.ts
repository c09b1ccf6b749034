import {
  bearerSecurity,
  createRouter,
  etagFor,
  jsonBody,
  NotFound,
  OptionalIfMatchHeaderSchema,
  principalOf,
  problemResponses,
  versionFromIfMatch,
} from '@bonding/kit';
import { createRoute } from '@hono/zod-openapi';
import { getPersonal, savePersonal } from '../db/bonding-file.js';
import type { StudentsDeps } from '../deps.js';
import { loadBondingFile } from './bonding-file.js';
import { BondingFileSchema, PersonalDetailsInput, PersonalDetailsSchema, toPersonal } from './schemas.js';

const tags = ['students'];
const personalResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const } } },
  content: { 'application/json': { schema: PersonalDetailsSchema } },
});

const myFile = createRoute({
  method: 'get',
  path: '/students/me',
  tags,
  summary: 'My whole bonding file, with what a loan still needs (student)',
  description:
    'The completeness summary says what a loan still needs: personal details filed, at least one guardian and a primary bank account.',
  security: bearerSecurity,
  responses: {
    200: { description: 'The file.', content: { 'application/json': { schema: BondingFileSchema } } },
    ...problemResponses(401, 403),
  },
});

const readPersonal = createRoute({
  method: 'get',
  path: '/students/me/personal',
  tags,
  summary: 'My personal details (student)',
  security: bearerSecurity,
  responses: { 200: personalResponse('Personal details.'), ...problemResponses(401, 403, 404) },
});

const writePersonal = createRoute({
  method: 'put',
  path: '/students/me/personal',
  tags,
  summary: 'File or replace my personal details (student; If-Match to replace)',
  description:
    'The national ID is 8 letters and digits and unique among students; the phone is E.164. National IDs are encrypted at rest and only ever shown masked.',
  security: bearerSecurity,
  request: { headers: OptionalIfMatchHeaderSchema, body: jsonBody(PersonalDetailsInput) },
  responses: { 200: personalResponse('Saved.'), ...problemResponses(400, 401, 403, 409, 412, 428) },
});

export function meRoutes(deps: StudentsDeps) {
  const { db } = deps;
  const student = [deps.guards.require('student')];
  return createRouter()
    .openapi({ ...myFile, middleware: student }, async (c) =>
      c.json(await loadBondingFile(db, principalOf(c).userId), 200),
    )
    .openapi({ ...readPersonal, middleware: student }, async (c) => {
      const row = await getPersonal(db, principalOf(c).userId);
      if (!row)
        throw new NotFound('personal_details_not_filed', 'You have not filed your personal details yet.');
      c.header('ETag', etagFor(row.version));
      return c.json(toPersonal(row), 200);
    })
    .openapi({ ...writePersonal, middleware: student }, async (c) => {
      const body = c.req.valid('json');
      const studentId = principalOf(c).userId;
      const expected = c.req.header('If-Match') ? versionFromIfMatch(c) : undefined;
      await savePersonal(
        db,
        studentId,
        {
          first_name: body.firstName,
          surname: body.surname,
          date_of_birth: body.dateOfBirth,
          gender: body.gender,
          phone: body.phone,
          home_village: body.homeVillage,
          traditional_authority: body.traditionalAuthority,
          district: body.district,
          postal_address: body.postalAddress,
          institution: body.institution,
          programme: body.programme,
          year_of_study: body.yearOfStudy,
        },
        deps.sensitive.nationalId(body.nationalId),
        expected,
        deps.now(),
      );
      const row = await getPersonal(db, studentId);
      if (!row) throw new Error('personal details vanished after saving');
      c.header('ETag', etagFor(row.version));
      return c.json(toPersonal(row), 200);
    });
}
