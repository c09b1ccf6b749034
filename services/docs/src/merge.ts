/** Merges per-service OpenAPI 3.1 documents into the one reference the edge serves. */
type Json = Record<string, unknown>;

export interface ServiceDocument {
  service: string;
  document: Json;
}

export class MergeConflict extends Error {}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function entriesOf(value: unknown): [string, unknown][] {
  return value && typeof value === 'object' ? Object.entries(value as Json) : [];
}

function slot(record: Record<string, Json>, key: string): Json {
  const existing = record[key];
  if (existing) return existing;
  const created: Json = {};
  record[key] = created;
  return created;
}

export function mergeOpenApi(
  sources: ServiceDocument[],
  info: { title: string; version: string; description: string },
) {
  const paths: Record<string, Json> = {};
  const components: Record<string, Json> = {};
  const tags: { name: string }[] = [];
  for (const { service, document } of sources) {
    for (const [path, item] of entriesOf(document.paths)) {
      const merged = slot(paths, path);
      for (const [method, operation] of entriesOf(item)) {
        if (!HTTP_METHODS.has(method)) continue;
        if (merged[method])
          throw new MergeConflict(`${method.toUpperCase()} ${path} is served by two services`);
        const op = operation as Json;
        // Each operation says which service serves it, for readers and for the edge's parity check.
        merged[method] = { ...op, 'x-service': service, tags: op.tags ?? [service] };
      }
    }
    for (const [kind, entries] of entriesOf(document.components)) {
      const target = slot(components, kind);
      for (const [name, value] of entriesOf(entries)) {
        if (target[name] !== undefined && JSON.stringify(target[name]) !== JSON.stringify(value)) {
          throw new MergeConflict(
            `components.${kind}.${name} is defined differently by ${service} and an earlier service`,
          );
        }
        target[name] = value;
      }
    }
    for (const tag of (document.tags ?? []) as { name: string }[])
      if (!tags.some((t) => t.name === tag.name)) tags.push(tag);
  }
  return { openapi: '3.1.0', info, servers: [{ url: '/' }], tags, paths, components };
}
