// The shape of a manifest of pinned upstream files (scripts/lib/upstream-files.ts is the project's), which
// scripts/lib/upstream-fetch.ts resolves. Files are pinned by SHA-256 rather than by where they come from,
// so an offline copy, the cache and every origin are held to the same bytes.

/** One file a check reads, pinned by content. */
export interface PinnedFile {
  /** Its name in an offline copy and in the cache. */
  name: string;
  /** Where it is in each origin: below `<module>@<version>/` in a module zip, or below a URL origin's base. */
  path: string;
  sha256: string;
}

/** Where a bundle can be fetched from. */
export type Origin =
  /** A Go module zip from the Go module proxy (a package registry, preferred over raw repository URLs). */
  | { kind: 'go-module'; module: string; version: string }
  /** Plain files: `<base>/<path>` each. */
  | { kind: 'url'; base: string };

/** Files that together satisfy a requirement, and where to fetch them, most preferred first. */
export interface Bundle {
  /** What the files are, for messages. */
  label: string;
  files: PinnedFile[];
  origins: Origin[];
}

/** Something the checks need. Any one of its bundles satisfies it; when fetching, they are tried in order. */
export interface Requirement {
  /** For messages and the log: "Kong CRDs". */
  title: string;
  /** Its folder in an offline copy (`../shared/schemas/<folder>/<name>`) and in the cache. */
  folder: string;
  /** The variable that names an explicit offline copy: a folder of files by name, or the path of a one-file bundle. */
  offlineEnv: { name: string; holds: 'folder' | 'file' };
  bundles: Bundle[];
}

/** Raw files of a GitHub repository at a pinned commit. */
export function githubRaw(repository: string, commit: string): Origin {
  return { kind: 'url', base: `https://raw.githubusercontent.com/${repository}/${commit}` };
}

/** Where the resolver looks, besides each requirement's explicit offline variable and its origins. */
export interface UpstreamSources {
  /** Verified fetched files, as `<cacheDir>/<folder>/<name>`; reused offline, re-verified on every use. */
  cacheDir: string;
  /** A copy beside the checkout laid out as `<offlineRoot>/<folder>/<name>` (../shared/schemas); optional. */
  offlineRoot?: string;
  /** Where each requirement's offlineEnv variable is read (process.env). */
  env: Record<string, string | undefined>;
  /** The Go module proxy's base URL; undefined when GOPROXY names none (go-module origins are then skipped). */
  goProxy: string | undefined;
}

/** A verified file on disk. */
export interface ResolvedFile {
  path: string;
  sha256: string;
}

export interface Resolved {
  requirement: Requirement;
  bundle: Bundle;
  /** In the bundle's order. */
  files: ResolvedFile[];
  /** Which source served it, for the log: "offline copy ../shared/schemas/crds (verified)". */
  source: string;
}
