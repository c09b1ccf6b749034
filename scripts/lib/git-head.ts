// A file as the last commit has it: what the API contract gate compares uncommitted changes against.
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';

/**
 * The file at `path` (relative to the repository root) in HEAD; undefined when the checkout is not a git
 * repository, has no commit, or the file is not in it (a fresh file, or a source tarball).
 */
export function fileAtHead(path: string, root = repoRoot): string | undefined {
  const shown = spawnSync('git', ['show', `HEAD:${path}`], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return shown.status === 0 ? shown.stdout : undefined;
}
