// Errors as values: every failed call's body becomes one Problem, whether a service wrote RFC 9457
// problem+json or the edge answered with Kong's `{"message"}` body, so callers branch on one shape.
import type { components } from './generated/schema.js';

export type Problem = components['schemas']['Problem'];

/** Thrown by `ok()` for a call that did not succeed. */
export class ApiProblem extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ApiProblem';
    this.problem = problem;
  }
  get status() {
    return this.problem.status;
  }
  get code() {
    return this.problem.code;
  }
  get detail() {
    return this.problem.detail;
  }
  get errors() {
    return this.problem.errors ?? [];
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * The Problem of a failed response's parsed body. The edge's own bodies (401, 404 no route, 413, 429) carry
 * only `message`; their code is `edge_<status>` so they are told apart from the services' codes.
 */
export function toProblem(status: number, body: unknown): Problem {
  if (isRecord(body) && typeof body.code === 'string' && typeof body.title === 'string') {
    return { type: 'about:blank', ...body, status } as Problem;
  }
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  return {
    type: 'about:blank',
    title: message ?? `HTTP ${status}`,
    status,
    code: `edge_${status}`,
    ...(message ? { detail: message } : {}),
  };
}

/** What openapi-fetch answers for every call. */
interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The Problem of a call, or undefined when it succeeded. */
export function problemOf(result: Result<unknown>): Problem | undefined {
  return result.response.ok ? undefined : toProblem(result.response.status, result.error);
}

/** The call's data; throws ApiProblem when it failed. */
export async function ok<T>(call: Result<T> | Promise<Result<T>>): Promise<T> {
  const result = await call;
  const problem = problemOf(result);
  if (problem) throw new ApiProblem(problem);
  return result.data as T;
}
