// The released API contract: the merged OpenAPI document the edge serves at /openapi.json (built by
// services/docs, the same function the portal uses), recorded in docs/api/openapi-v1.json.
import { buildPlatformDocument } from '../../services/docs/src/sources.js';

export const SNAPSHOT_PATH = 'docs/api/openapi-v1.json';
export const CHANGELOG_PATH = 'CHANGELOG.md';
export const SNAPSHOT_COMMAND = 'npm run api:snapshot (node --import tsx scripts/api-snapshot.ts --write)';

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * The text a document is recorded as: keys sorted at every level and two-space indented, so the snapshot
 * changes only when the contract does (not when a service declares its routes in another order) and its
 * diffs read line by line. Arrays keep their order: in JSON Schema and OpenAPI it can mean something.
 */
export function contractText(document: unknown): string {
  return `${JSON.stringify(sortedKeys(document), null, 2)}\n`;
}

/** The contract the code in this checkout serves, as it would be recorded. */
export async function currentContractText(): Promise<string> {
  return contractText(await buildPlatformDocument());
}
