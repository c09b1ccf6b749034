import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { dependencyUnavailable, getForUser, jsonOf } from './dependency.js';

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
  const { config } = deps;
  const response = await getForUser({
    service: 'students',
    url: new URL(`/api/v1/students/${encodeURIComponent(studentId)}`, config.STUDENTS_URL).href,
    token,
    timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    retries: config.DEPENDENCY_RETRIES,
  });
  if (response.status === 404 || response.status === 403) {
    await response.body?.cancel();
    return null;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw dependencyUnavailable('students', new Error(`students answered ${response.status}`));
  }
  const parsed = FileSchema.safeParse(await jsonOf('students', response));
  if (!parsed.success) throw dependencyUnavailable('students', parsed.error);
  const guardian = parsed.data.guardians.find((entry) => entry.id === guardianId);
  if (!guardian) return null;
  // The name the student filed in their personal details, else the one they registered with.
  const { personal, student } = parsed.data;
  const studentName = personal
    ? `${personal.firstName} ${personal.surname}`
    : student
      ? `${student.firstName} ${student.lastName}`
      : '';
  return { guardian, studentName };
}
