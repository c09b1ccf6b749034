import { atLeastOneField } from '@bonding/kit';
import { z } from '@hono/zod-openapi';
import type { InstitutionRow } from '../db/schema.js';
import { codeSchema } from './schemas.js';

const fieldShape = {
  code: codeSchema.openapi({ example: 'UNIMA' }),
  name: z.string().trim().min(1).max(160).openapi({ example: 'University of Malawi' }),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code such as MW' })
    .openapi({ description: 'ISO 3166-1 alpha-2 (default MW).', example: 'MW' }),
  contactEmail: z.email({ error: 'must be an e-mail address' }).max(254).nullable().openapi({
    description: "The institution's contact address, or null.",
    example: 'registrar@example.ac.mw',
  }),
};

/** A whole institution, as created or replaced (PUT); optional fields take their defaults. */
export const InstitutionFieldsSchema = z
  .strictObject({
    ...fieldShape,
    country: fieldShape.country.default('MW'),
    contactEmail: fieldShape.contactEmail.default(null),
  })
  .openapi('InstitutionFields');

/** Some fields of an institution (PATCH); the rest stay as they are. */
export const InstitutionPatchSchema = atLeastOneField(
  z.strictObject(fieldShape).partial(),
  'name at least one field to change',
).openapi('InstitutionPatch');

export type InstitutionFields = z.infer<typeof InstitutionFieldsSchema>;

export const InstitutionSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    country: z.string(),
    contactEmail: z.string().nullable(),
    archived: z.boolean(),
    createdBy: z.uuid(),
    createdAt: z.iso.datetime(),
    updatedBy: z.uuid(),
    updatedAt: z.iso.datetime(),
    archivedBy: z.uuid().nullable(),
    archivedAt: z.iso.datetime().nullable(),
    version: z.number().int(),
  })
  .openapi('Institution');

export type Institution = z.infer<typeof InstitutionSchema>;

export function toInstitution(row: InstitutionRow): Institution {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    country: row.country,
    contactEmail: row.contact_email,
    archived: row.archived_at !== null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
    archivedBy: row.archived_by,
    archivedAt: row.archived_at?.toISOString() ?? null,
    version: row.version,
  };
}

export const InstitutionIdParamSchema = z.object({
  id: z.uuid({ error: 'must be an institution id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
