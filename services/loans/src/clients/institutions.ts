import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { fetchFromCatalog } from './catalog.js';

/** The parts of a catalog institution a loan checks; other fields are ignored. */
const InstitutionSchema = z.object({ id: z.uuid(), name: z.string(), archived: z.boolean() });
export type Institution = z.infer<typeof InstitutionSchema>;

/** The institution (archived ones too: loans keep referring to them), or null when catalog has none. */
export const fetchInstitution = (deps: Pick<LoansDeps, 'config'>, institutionId: string, token: string) =>
  fetchFromCatalog(
    deps,
    `/api/v1/institutions/${encodeURIComponent(institutionId)}`,
    InstitutionSchema,
    token,
  );
