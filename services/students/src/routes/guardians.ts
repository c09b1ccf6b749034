import { getGuardian, listGuardians } from '../db/bonding-file.js';
import type { StudentsDeps } from '../deps.js';
import { MAX_GUARDIANS } from '../domain/file-limits.js';
import { fileEntryRoutes } from './file-entries.js';
import { GuardianInput, GuardianSchema, toGuardian } from './schemas.js';

/** /students/me/guardians: the student's parents and guardians, one of them primary. */
export const guardianRoutes = (deps: StudentsDeps) =>
  fileEntryRoutes(deps, {
    table: 'guardians',
    segment: 'guardians',
    noun: 'guardian',
    listSummary: 'My guardians and parents',
    maxEntries: MAX_GUARDIANS,
    input: GuardianInput,
    output: GuardianSchema,
    columns: (body) => ({
      first_name: body.firstName,
      surname: body.surname,
      relation: body.relation,
      phone: body.phone,
      email: body.email?.toLowerCase() ?? null,
      occupation: body.occupation,
      home_village: body.homeVillage,
    }),
    list: listGuardians,
    get: getGuardian,
    present: toGuardian,
  });
