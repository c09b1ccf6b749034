// CHANGELOG.md's rule for the API contract: each version of the contract (its `info.version`) has a
// heading, `## 1` or `## 1 — <what>`, under which its changes are listed.

/** The contract's `info.version`, or undefined when the text is not a document that has one. */
export function contractVersion(snapshotText: string): string | undefined {
  try {
    const version = (JSON.parse(snapshotText) as { info?: { version?: unknown } }).info?.version;
    return typeof version === 'string' && version !== '' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the changelog has a second-level heading for `version` (`v` before it allowed). */
export function hasVersionHeading(changelog: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^## v?${escaped}(?:\\s|$)`, 'm').test(changelog);
}
