import { ServiceUnavailable } from '@bonding/kit';

export interface DependencyCall {
  /** The service's name, for the 503's detail. */
  service: string;
  url: string;
  /** The caller's bearer token, forwarded: the dependency applies its own access rules. */
  token: string;
  timeoutMs: number;
  retries: number;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

const unavailable = (service: string, cause?: unknown) =>
  new ServiceUnavailable(
    'dependency_unavailable',
    `The ${service} service is not answering; try again shortly.`,
    {
      headers: { 'Retry-After': '5' },
      cause,
    },
  );

/**
 * A GET on the user's behalf with a timeout per attempt and a bounded number of
 * retries (GETs are safe to repeat). Any answer other than a retryable failure
 * is returned for the caller to interpret; a dependency that stays down is 503.
 */
export async function getForUser(call: DependencyCall): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= call.retries; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1)));
    try {
      const response = await fetch(call.url, {
        headers: { Authorization: `Bearer ${call.token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(call.timeoutMs),
        redirect: 'manual',
      });
      if (!RETRYABLE.has(response.status)) return response;
      await response.body?.cancel();
      lastError = new Error(`${call.service} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw unavailable(call.service, lastError);
}

/** Reads a JSON body, treating anything unreadable as the dependency being broken. */
export async function jsonOf(service: string, response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw unavailable(service, error);
  }
}

export { unavailable as dependencyUnavailable };
