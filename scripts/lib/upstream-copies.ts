// Checking a copy of pinned files already on disk (an offline copy or the cache) against their SHA-256:
// which bundle it holds complete and verified, and which of its files are not the pinned bytes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Bundle, PinnedFile, Requirement, ResolvedFile } from './upstream-types.js';

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where a copy keeps a bundle's file; undefined when the copy cannot hold that bundle. */
export type Locate = (bundle: Bundle, file: PinnedFile) => string | undefined;

/** A folder of files under their pinned names (an offline copy's folder, the cache). */
export function folderCopy(dir: string): Locate {
  return (_bundle, file) => join(dir, file.name);
}

/** One file at a path of the user's choosing: it can stand only for a one-file bundle. */
export function singleFileCopy(path: string): Locate {
  return (bundle) => (bundle.files.length === 1 ? path : undefined);
}

export interface Mismatch {
  path: string;
  file: PinnedFile;
  actual: string;
}

export interface CopyScan {
  /** The first bundle (in the requirement's order) whose files are all there and verified. */
  complete?: { bundle: Bundle; files: ResolvedFile[] };
  /** Files that are there but are not the pinned bytes. */
  mismatched: Mismatch[];
  /** Per bundle the copy could hold, the paths it lacks. */
  missing: { bundle: Bundle; paths: string[] }[];
}

export function scanCopy(requirement: Requirement, locate: Locate): CopyScan {
  const scan: CopyScan = { mismatched: [], missing: [] };
  for (const bundle of requirement.bundles) {
    const verified: ResolvedFile[] = [];
    const absent: string[] = [];
    for (const file of bundle.files) {
      const path = locate(bundle, file);
      if (path === undefined) break;
      if (!existsSync(path) || !statSync(path).isFile()) {
        absent.push(path);
        continue;
      }
      const actual = sha256Of(readFileSync(path));
      if (actual === file.sha256) verified.push({ path, sha256: actual });
      else scan.mismatched.push({ path, file, actual });
    }
    if (verified.length === bundle.files.length) scan.complete ??= { bundle, files: verified };
    else if (absent.length > 0) scan.missing.push({ bundle, paths: absent });
  }
  return scan;
}

/** A path as messages show it: relative to the working directory when that is short, else absolute. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || isAbsolute(rel) || rel.startsWith(join('..', '..')) ? path : rel;
}
