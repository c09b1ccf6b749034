// Asking oasdiff what changed between two OpenAPI documents, as data: its JSON output, one entry per change
// and operation, with the severity oasdiff gives it (https://github.com/oasdiff/oasdiff/blob/main/docs/BREAKING-CHANGES.md).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** oasdiff's levels: ERR is breaking (a client written against the base fails), WARN may be, INFO is not. */
export const LEVEL = { ERR: 3, WARN: 2, INFO: 1 } as const;

export interface ContractChange {
  id: string;
  text: string;
  level: number;
  operation?: string;
  path?: string;
  section?: string;
}

export interface Comparison {
  /** `oasdiff breaking --fail-on ERR` exited 1: at least one change is an error. */
  breaking: boolean;
  changes: ContractChange[];
}

/** `GET /api/v1/auth/me: removed the required property ... [response-required-property-removed]`. */
export function describeChange(change: ContractChange): string {
  const where =
    change.operation && change.path ? `${change.operation} ${change.path}` : (change.section ?? '');
  return `${where ? `${where}: ` : ''}${change.text} [${change.id}]`;
}

/**
 * Runs `oasdiff <command> base revision --format json` on two documents' texts (written to a temporary
 * directory, which is also oasdiff's working directory, so no .oasdiff.* configuration there applies).
 * `breaking` fails on ERR and lists ERR and WARN; `changelog` lists every change, INFO included.
 */
export async function compareContracts(
  oasdiff: string,
  command: 'breaking' | 'changelog',
  baseText: string,
  revisionText: string,
): Promise<Comparison> {
  const dir = mkdtempSync(join(tmpdir(), 'bonding-oasdiff-'));
  try {
    writeFileSync(join(dir, 'base.json'), baseText);
    writeFileSync(join(dir, 'revision.json'), revisionText);
    const args = [command, 'base.json', 'revision.json', '--format', 'json'];
    if (command === 'breaking') args.push('--fail-on', 'ERR');
    // Without OASDIFF_NO_TELEMETRY oasdiff reports each run to oasdiff.com (and CI cannot reach it).
    const env = { ...process.env, OASDIFF_NO_TELEMETRY: '1' };
    let stdout: string;
    let breaking = false;
    try {
      ({ stdout } = await run(oasdiff, args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      const failure = error as { code?: unknown; stdout?: string; stderr?: string };
      // 1 is --fail-on's answer; anything else (102: a document it cannot load) is oasdiff failing.
      if (failure.code !== 1 || command !== 'breaking') {
        throw new Error(`oasdiff ${command} failed (exit code ${failure.code}): ${failure.stderr?.trim()}`);
      }
      stdout = failure.stdout ?? '';
      breaking = true;
    }
    const changes = stdout.trim() === '' ? [] : (JSON.parse(stdout) as ContractChange[]);
    return { breaking, changes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
