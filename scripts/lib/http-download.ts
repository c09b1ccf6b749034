// One HTTP GET whose failure is a value with a readable reason (for the "nothing could fetch it" message)
// rather than an exception: the resolver tries the next source on any failure.

export type Download = { ok: true; body: Uint8Array } | { ok: false; status?: number; reason: string };

// A host that never answers must not hang `npm test`; a slow but moving download (a module zip can be tens
// of MB) gets far longer.
const ANSWER_TIMEOUT_MS = 30_000;
const BODY_TIMEOUT_MS = 10 * 60_000;

/** Node's fetch says only "fetch failed"; the cause holds what went wrong (ENOTFOUND, ECONNREFUSED, …). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}

export async function download(url: string): Promise<Download> {
  const controller = new AbortController();
  const abortAfter = (ms: number, what: string) =>
    setTimeout(() => controller.abort(new Error(`${what} within ${ms / 1000} s`)), ms);
  let timer = abortAfter(ANSWER_TIMEOUT_MS, 'no answer');
  try {
    const response = await fetch(url, { signal: controller.signal });
    clearTimeout(timer);
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, status: response.status, reason: `HTTP ${response.status}` };
    }
    timer = abortAfter(BODY_TIMEOUT_MS, 'download not complete');
    return { ok: true, body: new Uint8Array(await response.arrayBuffer()) };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  } finally {
    clearTimeout(timer);
  }
}
