// schemathesis (from PyPI) for the API fuzz test (tests/platform/fuzz-openapi.test.ts): installed with pip into
// its own virtualenv under .tools/schemathesis on first use, and reused while the pinned version stays the same.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, repoRoot } from './paths.js';
import { info } from './processes.js';
import { runQuiet } from './run-capture.js';

/** Bump to have every checkout reinstall on its next fuzz run. */
export const SCHEMATHESIS_VERSION = '4.32.5';

const toolsDir = join(repoRoot, '.tools', 'schemathesis');
const venvDir = join(toolsDir, 'venv');
const stampFile = join(toolsDir, 'installed.json');
export const schemathesisBin = join(venvDir, 'bin', 'schemathesis');

const wanted = `schemathesis==${SCHEMATHESIS_VERSION}`;

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(stampFile, 'utf8')) as { python?: string }).python;
  } catch {
    return undefined;
  }
}

/** Installs schemathesis when missing or outdated; returns the path of its CLI. */
export async function ensureSchemathesis(): Promise<string> {
  if (installedVersion() === wanted && existsSync(schemathesisBin)) return schemathesisBin;
  const started = Date.now();
  ensureDir(toolsDir, 0o755);
  rmSync(venvDir, { recursive: true, force: true });
  try {
    await runQuiet('python3', ['-m', 'venv', venvDir]);
  } catch (error) {
    throw new Error(
      `could not create a Python virtualenv for schemathesis (${(error as Error).message}); ` +
        'install python3 with its venv module (Debian: apt-get install python3-venv)',
    );
  }
  try {
    await runQuiet(join(venvDir, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      wanted,
    ]);
  } catch (error) {
    rmSync(venvDir, { recursive: true, force: true });
    throw new Error(
      `pip could not install ${wanted} (${(error as Error).message}); is PyPI (https://pypi.org) reachable ` +
        'from this machine, directly or through PIP_INDEX_URL?',
    );
  }
  writeFileSync(stampFile, `${JSON.stringify({ python: wanted }, null, 2)}\n`);
  info(
    'fuzz tools',
    `installed ${wanted} (pip, into .tools/schemathesis/venv) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return schemathesisBin;
}
