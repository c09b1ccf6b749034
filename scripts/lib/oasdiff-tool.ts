// oasdiff, the OpenAPI diff the API contract gate (api-gate.ts) asks what a change breaks: built with
// `go install` into .tools/oasdiff/bin on first use (Go is already needed for actionlint and helm), and
// reused while the pinned version stays the same.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, repoRoot } from './paths.js';
import { info } from './processes.js';
import { runQuiet } from './run-capture.js';

/** Bump to have every checkout reinstall it on its next `npm test`. */
export const OASDIFF_VERSION = 'v1.39.0';

const toolsDir = join(repoRoot, '.tools', 'oasdiff');
const binDir = join(toolsDir, 'bin');
const stampFile = join(toolsDir, 'installed.json');
export const oasdiffBin = join(binDir, 'oasdiff');

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(stampFile, 'utf8')) as { oasdiff?: string }).oasdiff;
  } catch {
    return undefined;
  }
}

/** Installs oasdiff when missing or outdated; returns the path of its binary. */
export async function ensureOasdiff(): Promise<string> {
  if (installedVersion() === OASDIFF_VERSION && existsSync(oasdiffBin)) return oasdiffBin;
  const started = Date.now();
  ensureDir(binDir, 0o755);
  const module = `github.com/oasdiff/oasdiff@${OASDIFF_VERSION}`;
  try {
    await runQuiet('go', ['install', module], { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' });
  } catch (error) {
    throw new Error(
      `could not install oasdiff (go install ${module}: ${(error as Error).message}); it needs Go ` +
        '(https://go.dev/dl) and the Go module proxy (GOPROXY, https://proxy.golang.org by default)',
    );
  }
  writeFileSync(stampFile, `${JSON.stringify({ oasdiff: OASDIFF_VERSION }, null, 2)}\n`);
  info(
    'api tools',
    `installed oasdiff ${OASDIFF_VERSION} (go install, into .tools/oasdiff/bin) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return oasdiffBin;
}
