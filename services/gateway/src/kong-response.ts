/**
 * The three ways Kong 3.9 writes a response it produces itself (see
 * ../shared/KONG-REFERENCE.md §0), so clients see the same bodies from the
 * local gateway as from Kong.
 */
export interface EdgeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** `kong.response.exit(status, body)`: compact JSON, as the jwt plugin answers. */
export function exitResponse(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): EdgeResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

type Format = 'json' | 'text' | 'html' | 'xml';

const MEDIA_FORMATS: Record<string, Format> = {
  'application/json': 'json',
  'text/plain': 'text',
  'text/html': 'html',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

/** The supported type with the highest q in an Accept-style header; unknown or wildcard → JSON. */
export function negotiateFormat(header: string): Format {
  let best: { format: Format; q: number } | undefined;
  for (const part of header.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const format = MEDIA_FORMATS[type.trim()];
    if (!format) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isNaN(q) && q > 0 && (!best || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'json';
}

function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatted(status: number, message: string, requestId: string, format: Format): EdgeResponse {
  switch (format) {
    case 'text':
      return {
        status,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: `${message}\nrequest_id: ${requestId}\n`,
      };
    case 'html':
      return {
        status,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
        body: `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>Error</title></head>\n<body>\n<h1>Error</h1>\n<p>${escapeMarkup(message)}.</p>\n<p>request_id: ${requestId}</p>\n</body>\n</html>\n`,
      };
    case 'xml':
      return {
        status,
        headers: { 'Content-Type': 'application/xml; charset=utf-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>${escapeMarkup(message)}</message>\n  <requestid>${requestId}</requestid>\n</error>\n`,
      };
    case 'json':
      return {
        status,
        headers: { 'Content-Type': JSON_TYPE },
        body: `{\n  "message":${JSON.stringify(message)},\n  "request_id":"${requestId}"\n}`,
      };
  }
}

/** `kong.response.error(status, message)`: format from Accept (router 404, 429, 413, …). */
export function errorResponse(
  status: number,
  message: string,
  requestId: string,
  accept: string | undefined,
): EdgeResponse {
  return formatted(status, message, requestId, negotiateFormat(accept ?? ''));
}

/**
 * Errors nginx raises (upstream unreachable, timeouts): format from Accept,
 * else the request's Content-Type, else text/plain (Kong's error_default_type).
 */
export function proxyErrorResponse(
  status: 502 | 503 | 504,
  requestId: string,
  accept: string | undefined,
  contentType: string | undefined,
): EdgeResponse {
  const message = {
    502: 'An invalid response was received from the upstream server',
    503: 'The upstream server is currently unavailable',
    504: 'The upstream server is timing out',
  }[status];
  const hint = accept ?? contentType;
  return formatted(status, message, requestId, hint === undefined ? 'text' : negotiateFormat(hint));
}
