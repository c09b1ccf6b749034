// Resolves pinned upstream files (a manifest such as scripts/lib/upstream-files.ts) to verified files on
// disk. Sources, in order:
//   1. the requirement's explicit offline variable (BONDING_CRDS_DIR, BONDING_SKAFFOLD_SCHEMA);
//   2. the offline copy beside the checkout (../shared/schemas/<folder>);
//   3. the cache (<cacheDir>/<folder>), re-verified on every use;
//   4. each bundle's origins in order: the Go module proxy, then raw URLs; verified, then cached.
// Bytes that do not match their SHA-256 are never used: an offline copy that holds any is refused with an
// error (someone put it there on purpose), a cached one is removed and fetched again, a fetched one is
// not written and the next origin is tried.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CopyScan,
  folderCopy,
  type Locate,
  scanCopy,
  sha256Of,
  shown,
  singleFileCopy,
} from './upstream-copies.js';
import {
  type Attempt,
  incompleteCopyMessage,
  mismatchLine,
  missingMessage,
  refusedCopyMessage,
} from './upstream-messages.js';
import { fetchBundle } from './upstream-origins.js';
import type { Bundle, Requirement, Resolved, ResolvedFile, UpstreamSources } from './upstream-types.js';

type Note = (message: string) => void;

/** Checks an offline copy; a file there that is not the pinned one is an error (it was put there on purpose). */
function checkedOfflineCopy(
  requirement: Requirement,
  locate: Locate,
  label: string,
  remedy: string,
): CopyScan {
  const scan = scanCopy(requirement, locate);
  if (scan.mismatched.length > 0) {
    throw new Error(refusedCopyMessage(requirement, label, scan.mismatched, remedy));
  }
  return scan;
}

function explicitCopy(requirement: Requirement, value: string): Resolved {
  const { name, holds } = requirement.offlineEnv;
  const label = `${name}=${shown(value)}`;
  const locate = holds === 'file' ? singleFileCopy(value) : folderCopy(value);
  const scan = checkedOfflineCopy(requirement, locate, label, `unset ${name} to fetch them`);
  // The copy the user asked for: falling back to the network would hide their mistake.
  if (!scan.complete) throw new Error(incompleteCopyMessage(requirement, label, scan.missing));
  return { requirement, ...scan.complete, source: `offline copy ${label} (verified)` };
}

function besideCheckoutCopy(requirement: Requirement, dir: string): Resolved | undefined {
  const label = shown(dir);
  const scan = checkedOfflineCopy(requirement, folderCopy(dir), label, `move ${label} away to fetch them`);
  return scan.complete && { requirement, ...scan.complete, source: `offline copy ${label} (verified)` };
}

function fromCache(requirement: Requirement, dir: string, note: Note): Resolved | undefined {
  const scan = scanCopy(requirement, folderCopy(dir));
  for (const mismatch of scan.mismatched) {
    note(`${requirement.title}: cached file refused, fetching again: ${mismatchLine(mismatch)}`);
    rmSync(mismatch.path, { force: true });
  }
  return scan.complete && { requirement, ...scan.complete, source: `cache ${shown(dir)} (verified)` };
}

/** Writes verified files into the cache; each appears whole or not at all (write, then rename). */
function cacheFiles(dir: string, bundle: Bundle, contents: Uint8Array[]): ResolvedFile[] {
  mkdirSync(dir, { recursive: true });
  return bundle.files.map((file, index) => {
    const path = join(dir, file.name);
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, contents[index] as Uint8Array);
    renameSync(partial, path);
    return { path, sha256: file.sha256 };
  });
}

async function fetchAndCache(
  requirement: Requirement,
  sources: UpstreamSources,
  note: Note,
): Promise<Resolved | Attempt[]> {
  const attempts: Attempt[] = [];
  const cacheDir = join(sources.cacheDir, requirement.folder);
  for (const bundle of requirement.bundles) {
    for (const origin of bundle.origins) {
      const fetched = await fetchBundle(bundle, origin, sources.goProxy);
      if (!fetched.ok) {
        attempts.push({ bundle, from: fetched.from, reason: fetched.reason });
        continue;
      }
      const wrong = bundle.files.flatMap((file, index) => {
        const actual = sha256Of(fetched.contents[index] as Uint8Array);
        return actual === file.sha256 ? [] : [`${file.name}: sha256 ${actual}, expected ${file.sha256}`];
      });
      if (wrong.length > 0) {
        attempts.push({
          bundle,
          from: fetched.from,
          reason: `refused, not the pinned bytes: ${wrong.join('; ')}`,
        });
        continue;
      }
      for (const failed of attempts) note(`${requirement.title}: ${failed.from}: ${failed.reason}`);
      return {
        requirement,
        bundle,
        files: cacheFiles(cacheDir, bundle, fetched.contents),
        source: `fetched from ${fetched.from}, verified, cached in ${shown(cacheDir)}`,
      };
    }
  }
  return attempts;
}

async function resolveOne(
  requirement: Requirement,
  sources: UpstreamSources,
  note: Note,
): Promise<Resolved | Attempt[]> {
  const explicit = sources.env[requirement.offlineEnv.name];
  if (explicit) return explicitCopy(requirement, explicit);
  const offlineDir = sources.offlineRoot && join(sources.offlineRoot, requirement.folder);
  return (
    (offlineDir ? besideCheckoutCopy(requirement, offlineDir) : undefined) ??
    fromCache(requirement, join(sources.cacheDir, requirement.folder), note) ??
    fetchAndCache(requirement, sources, note)
  );
}

/**
 * Every requirement resolved, in order; or one error naming everything missing at once, so a machine with
 * no network learns in one run what to provide.
 */
export async function resolveUpstream(
  requirements: Requirement[],
  sources: UpstreamSources,
  note: Note = (message) => console.warn(message),
): Promise<Resolved[]> {
  const resolved: Resolved[] = [];
  const missing: string[] = [];
  for (const requirement of requirements) {
    const result = await resolveOne(requirement, sources, note);
    if (Array.isArray(result)) missing.push(missingMessage(requirement, result, sources));
    else resolved.push(result);
  }
  if (missing.length > 0) throw new Error(missing.join('\n\n'));
  return resolved;
}
