import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { fetchBondingFile } from './students.js';

const GuardianSchema = z.object({
  id: z.string(),
  firstName: z.string(),
  surname: z.string(),
  email: z.string().nullable(),
  homeVillage: z.string(),
});
const FileSchema = z.object({
  student: z.object({ firstName: z.string(), lastName: z.string() }).nullable().default(null),
  personal: z.object({ firstName: z.string(), surname: z.string() }).nullable().default(null),
  guardians: z.array(GuardianSchema),
});

export type Guardian = z.infer<typeof GuardianSchema>;

/**
 * One of the student's guardians and the student's name, read from the bonding file with the caller's
 * token (students shows a file to staff and to its own student only, and logs staff reads). Null when
 * students has no such file for this caller or the file names no such guardian.
 */
export async function guardianOf(
  deps: Pick<LoansDeps, 'config'>,
  studentId: string,
  guardianId: string,
  token: string,
): Promise<{ guardian: Guardian; studentName: string } | null> {
  const file = await fetchBondingFile(deps, studentId, FileSchema, token);
  if (!file) return null;
  const guardian = file.guardians.find((entry) => entry.id === guardianId);
  if (!guardian) return null;
  // The name the student filed in their personal details, else the one they registered with.
  const { personal, student } = file;
  const studentName = personal
    ? `${personal.firstName} ${personal.surname}`
    : student
      ? `${student.firstName} ${student.lastName}`
      : '';
  return { guardian, studentName };
}
