// The resolver's failure messages. Each must let someone with no network fix it alone: which files, their
// hashes, every URL they come from, and where to put them instead.
import { join } from 'node:path';
import { type Mismatch, shown } from './upstream-copies.js';
import { fileLocation } from './upstream-origins.js';
import type { Bundle, Requirement, UpstreamSources } from './upstream-types.js';

/** A fetch that did not give a bundle. */
export interface Attempt {
  bundle: Bundle;
  from: string;
  reason: string;
}

export function mismatchLine({ path, file, actual }: Mismatch): string {
  return `${shown(path)}: sha256 ${actual}, expected ${file.sha256} (${file.name})`;
}

/** An offline copy with a file that is not the pinned one: never used, never silently passed over. */
export function refusedCopyMessage(
  requirement: Requirement,
  label: string,
  mismatched: Mismatch[],
  remedy: string,
): string {
  return [
    `${requirement.title}: the offline copy ${label} is refused: it is not the pinned upstream files.`,
    ...mismatched.map((mismatch) => `  ${mismatchLine(mismatch)}`),
    `Put the pinned files there (their sources are listed in the manifest, scripts/lib/upstream-files.ts), or ${remedy}.`,
  ].join('\n');
}

/** An explicitly named offline copy that lacks files of every bundle. */
export function incompleteCopyMessage(
  requirement: Requirement,
  label: string,
  missing: { bundle: Bundle; paths: string[] }[],
): string {
  return [
    `${requirement.title}: ${label} holds no complete set of the pinned files; any one of these will do:`,
    ...missing.map(({ bundle, paths }) => `  ${bundle.label}: missing ${paths.map(shown).join(', ')}`),
    `Unset ${requirement.offlineEnv.name} to use ../shared/schemas, the cache or the network instead.`,
  ].join('\n');
}

function offlineInstructions(requirement: Requirement, sources: UpstreamSources): string {
  const { name, holds } = requirement.offlineEnv;
  const besideCheckout = sources.offlineRoot ? join(sources.offlineRoot, requirement.folder) : undefined;
  if (holds === 'file') {
    const fileName = requirement.bundles[0]?.files[0]?.name ?? '';
    const there = besideCheckout ? `, or put it at ${join(besideCheckout, fileName)}` : '';
    return `To provide it offline: set ${name} to the file's path${there}.`;
  }
  const there = besideCheckout ? `, or put them in ${besideCheckout}/` : '';
  return (
    'To provide them offline: put one set of the files above, under those names, in a folder and set ' +
    `${name} to it${there}.`
  );
}

function bundleLines(bundle: Bundle, index: number, count: number, sources: UpstreamSources): string[] {
  const lines = [`  ${count > 1 ? `${index + 1}. ` : ''}${bundle.label}:`];
  for (const file of bundle.files) {
    lines.push(`     ${file.name}  sha256 ${file.sha256}`);
    for (const origin of bundle.origins)
      lines.push(`       from ${fileLocation(origin, file, sources.goProxy)}`);
  }
  return lines;
}

/** Nothing had a requirement: every file, every place it comes from, what went wrong, how to do without. */
export function missingMessage(
  requirement: Requirement,
  attempts: Attempt[],
  sources: UpstreamSources,
): string {
  const count = requirement.bundles.length;
  const cache = shown(join(sources.cacheDir, requirement.folder));
  const wanted = count > 1 ? 'any of these sets of files (one is enough)' : 'these files';
  return [
    `${requirement.title}: not found offline or in the cache (${cache}), and no source could fetch ${wanted}:`,
    ...requirement.bundles.flatMap((bundle, index) => bundleLines(bundle, index, count, sources)),
    '  Tried:',
    ...attempts.map(({ from, reason }) => `     ${from}: ${reason}`),
    offlineInstructions(requirement, sources),
  ].join('\n');
}
