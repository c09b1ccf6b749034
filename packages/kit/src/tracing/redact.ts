/**
 * URLs carry a few secrets: a guarantor's consent code is the path's last segment (the code is the
 * credential of a public route), and a notification stream's ticket rides in the query. Spans record
 * the target of every request, and traces outlive the codes' purpose in a collector anyone on the
 * operations team can read, so the instrumentation replaces them before a span is exported.
 */
const SECRET_SEGMENTS = /(\/guarantor-consents\/)[^/?#]+/g;
// A query string alone (url.query) starts with the parameter itself.
const SECRET_QUERY = /((?:^|[?&])(?:ticket|code|token|access_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_SEGMENTS, '$1{code}').replace(SECRET_QUERY, '$1{redacted}');
}

/** The URL attributes HTTP instrumentations set (old and stable semantic conventions). */
export const URL_ATTRIBUTES = ['http.target', 'http.url', 'url.path', 'url.full', 'url.query'] as const;

/** Rewrites a span's URL attributes and name in place (the span is still recording). */
export function redactSpanUrls(span: {
  setAttribute(key: string, value: string): unknown;
  updateName(name: string): unknown;
  attributes?: Record<string, unknown>;
  name?: string;
}): void {
  for (const key of URL_ATTRIBUTES) {
    const value = span.attributes?.[key];
    if (typeof value === 'string') span.setAttribute(key, redactUrl(value));
  }
  if (typeof span.name === 'string' && span.name !== redactUrl(span.name))
    span.updateName(redactUrl(span.name));
}
