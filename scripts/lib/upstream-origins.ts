// Fetching a bundle's files from one origin: a module zip from the Go module proxy (only the wanted entries
// are inflated, the zip is not kept) or plain URLs. Verifying them is the caller's job.
import { moduleZipEntry, moduleZipUrl, unzipEntries } from './go-proxy.js';
import { download } from './http-download.js';
import type { Bundle, Origin, PinnedFile } from './upstream-types.js';

export type FetchResult =
  | { ok: true; from: string; contents: Uint8Array[] }
  | { ok: false; from: string; reason: string };

const NO_PROXY = 'the Go module proxy (none: GOPROXY names no http(s) proxy)';

/** Every place an origin has a file, for the message that lists where a missing file can be had. */
export function fileLocation(origin: Origin, file: PinnedFile, goProxy: string | undefined): string {
  if (origin.kind === 'url') return `${origin.base}/${file.path}`;
  const entry = moduleZipEntry(origin.module, origin.version, file.path);
  const zip = goProxy ? moduleZipUrl(goProxy, origin.module, origin.version) : NO_PROXY;
  return `${zip}, zip entry ${entry}`;
}

async function fromModuleZip(
  bundle: Bundle,
  origin: Extract<Origin, { kind: 'go-module' }>,
  goProxy: string | undefined,
): Promise<FetchResult> {
  if (!goProxy) return { ok: false, from: NO_PROXY, reason: 'skipped' };
  const url = moduleZipUrl(goProxy, origin.module, origin.version);
  const from = `the Go module proxy (${url})`;
  const zip = await download(url);
  if (!zip.ok) {
    // 404 and 410 are how a proxy says it does not serve a module or version.
    const notServed = zip.status === 404 || zip.status === 410;
    return { ok: false, from, reason: notServed ? `${zip.reason}: not served there` : zip.reason };
  }
  const names = bundle.files.map((file) => moduleZipEntry(origin.module, origin.version, file.path));
  let entries: Map<string, Uint8Array>;
  try {
    entries = unzipEntries(zip.body, names);
  } catch (error) {
    return { ok: false, from, reason: `not a readable zip (${(error as Error).message})` };
  }
  const absent = names.filter((name) => !entries.has(name));
  if (absent.length > 0) return { ok: false, from, reason: `the zip has no ${absent.join(', ')}` };
  return { ok: true, from, contents: names.map((name) => entries.get(name) as Uint8Array) };
}

async function fromUrls(bundle: Bundle, base: string): Promise<FetchResult> {
  const contents: Uint8Array[] = [];
  for (const file of bundle.files) {
    const url = `${base}/${file.path}`;
    const answer = await download(url);
    if (!answer.ok) return { ok: false, from: url, reason: answer.reason };
    contents.push(answer.body);
  }
  return { ok: true, from: base, contents };
}

/** The bundle's files in its order, or why this origin could not give them. */
export function fetchBundle(
  bundle: Bundle,
  origin: Origin,
  goProxy: string | undefined,
): Promise<FetchResult> {
  return origin.kind === 'go-module' ? fromModuleZip(bundle, origin, goProxy) : fromUrls(bundle, origin.base);
}
