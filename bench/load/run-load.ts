// Runs a load generator (bench/load/worker.ts, or a baseline) as a separate process: its input goes in a
// private temp file, its result comes back in `<file>.result`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/lib/paths.js';
import { runToCompletion } from '../lib/child-process.js';
import type { LoadResult, LoadScenario } from './scenario.js';

export const LOAD_WORKER = 'bench/load/worker.ts';
export const DB_TRANSFER_WORKER = 'bench/baselines/db-transfer.ts';

export async function runWorker(label: string, script: string, input: unknown): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bonding-bench-'));
  const file = join(dir, 'input.json');
  try {
    writeFileSync(file, JSON.stringify(input), { mode: 0o600 });
    await runToCompletion(label, process.execPath, ['--import', 'tsx', script, file], {
      cwd: repoRoot,
      env: process.env,
    });
    return JSON.parse(readFileSync(`${file}.result`, 'utf8')) as LoadResult;
  } finally {
    // The input holds access tokens or a database URL: do not leave it behind.
    rmSync(dir, { recursive: true, force: true });
  }
}

export const runLoad = (label: string, scenario: LoadScenario) => runWorker(label, LOAD_WORKER, scenario);
