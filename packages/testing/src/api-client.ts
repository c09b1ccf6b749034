export interface CallOptions {
  /** A string is sent as is (malformed JSON tests); anything else as JSON. */
  body?: unknown;
  token?: string;
  /** Sent as Idempotency-Key. */
  key?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, typed loosely: tests read whatever the route answered. */
  json: any;
  text: string;
}

/** Anything that answers a Request, such as a Hono app's `request` or `fetch` against a base URL. */
type Requester = (path: string, init: RequestInit) => Response | Promise<Response>;

/**
 * A small client for route tests: JSON bodies with the Content-Length a real
 * client sends, a bearer token, an idempotency key, and the answer parsed.
 */
export function createApiClient(request: Requester) {
  return async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers };
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    if (body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.key) headers['Idempotency-Key'] = options.key;
    const response = await request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
}
