// Reading files out of Go module zips on a Go module proxy (https://go.dev/ref/mod#goproxy-protocol): the
// registry that serves upstream repositories' files at a release, immutably, where raw repository URLs may
// be unreachable.
import { unzipSync } from 'fflate';

export const DEFAULT_GOPROXY = 'https://proxy.golang.org';

/**
 * The proxy to ask, from a GOPROXY value: its first http(s) entry. `direct` (the VCS itself) and `off` are
 * skipped, as are file:// proxies; unset or empty means Go's default. Undefined when no entry qualifies.
 */
export function goProxyBase(goproxy: string | undefined): string | undefined {
  if (goproxy === undefined || goproxy.trim() === '') return DEFAULT_GOPROXY;
  const entry = goproxy
    .split(/[,|]/)
    .map((part) => part.trim())
    .find((part) => /^https?:\/\//i.test(part));
  return entry?.replace(/\/+$/, '');
}

/** The proxy protocol's case encoding: an upper-case letter becomes `!` and its lower case. */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);
}

export function moduleZipUrl(base: string, module: string, version: string): string {
  return `${base}/${escapeModulePath(module)}/@v/${escapeModulePath(version)}.zip`;
}

/** Every entry of a module zip sits below `<module>@<version>/`, the module path unescaped. */
export function moduleZipEntry(module: string, version: string, path: string): string {
  return `${module}@${version}/${path}`;
}

/** The wanted entries of a zip, by name; only those are inflated. Absent entries are absent from the map. */
export function unzipEntries(zip: Uint8Array, names: string[]): Map<string, Uint8Array> {
  const wanted = new Set(names);
  const found = unzipSync(zip, { filter: (entry) => wanted.has(entry.name) });
  return new Map(Object.entries(found));
}
