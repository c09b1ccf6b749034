import { z } from 'zod';
import type { LoansDeps } from '../deps.js';
import { dependencyUnavailable, getForUser, jsonOf } from './dependency.js';

/**
 * The student's bonding file read with the caller's token and checked against `schema`, or null when
 * students has no file for them (or will not show it to this caller: it answers 404 for both).
 */
export async function fetchBondingFile<T extends z.ZodType>(
  deps: Pick<LoansDeps, 'config'>,
  studentId: string,
  schema: T,
  token: string,
): Promise<z.infer<T> | null> {
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
  const parsed = schema.safeParse(await jsonOf('students', response));
  if (!parsed.success) throw dependencyUnavailable('students', parsed.error);
  return parsed.data;
}

const BondingFileSchema = z.object({ completeness: z.object({ complete: z.boolean() }) });

/** Whether the student's bonding file is complete, or null when this caller may see no file for them. */
export async function bondingFileComplete(
  deps: Pick<LoansDeps, 'config'>,
  studentId: string,
  token: string,
): Promise<boolean | null> {
  const file = await fetchBondingFile(deps, studentId, BondingFileSchema, token);
  return file === null ? null : file.completeness.complete;
}
