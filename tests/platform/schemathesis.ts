import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeOpenApi } from '../../services/docs/src/merge.js';
import { PLATFORM_SERVICES, type Platform } from './platform.js';

/**
 * Every check schemathesis has runs (`--checks all`) except these, each with its reason:
 * - `unsupported_method`: Kong matches a route by path and method together, so a method a path does
 *   not list matches no route and Kong answers 404 `no Route matched`, never 405 with `Allow`. The
 *   local gateway does the same so that both edges agree; docs/api-guide.md states the decision.
 */
export const EXCLUDED_CHECKS: Record<string, string> = {
  unsupported_method: 'the edge answers 404 for a method a path does not list (docs/api-guide.md)',
};

/**
 * Operations the fuzz run leaves out, each with its reason. Ending the run's own session would answer
 * every later request 401, so the run would prove nothing after it; sign-out is tested in
 * tests/platform/session-end.test.ts. The stream's tests are in services/notifications.
 */
export const UNFUZZED_OPERATIONS: Record<string, string> = {
  'GET /api/v1/notifications/stream': 'a server-sent event stream stays open as long as its token lives',
  'POST /api/v1/auth/logout': "it ends the run's own session",
  'DELETE /api/v1/auth/sessions': "it ends the run's own session",
  'DELETE /api/v1/auth/sessions/{id}': "a stateful link hands it the run's own session id",
};

/**
 * Every service's own document, fetched from the running process (services serve /openapi.json
 * outside the edge) and merged as the docs service merges them, into a file schemathesis loads.
 */
export async function writePlatformDocument(platform: Platform, dir: string): Promise<string> {
  const documents = await Promise.all(
    PLATFORM_SERVICES.map(async (service) => {
      const response = await fetch(`${platform.url(service)}/openapi.json`);
      if (!response.ok) throw new Error(`${service} /openapi.json answered ${response.status}`);
      return { service, document: (await response.json()) as Record<string, unknown> };
    }),
  );
  const merged = mergeOpenApi(documents, {
    title: 'Bonding Platform API (fuzzed)',
    version: '1',
    description: 'Every service document, merged as the docs service merges them.',
  });
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(merged));
  return file;
}

/** Statuses some checks also accept, each with its reason. */
const CONFIG_FILE = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));

export interface SchemathesisRun {
  bin: string;
  schemaFile: string;
  /** The edge's base URL: every generated request goes through it. */
  baseUrl: string;
  token: string;
  phases: string[];
  maxExamples: number;
  /** A seed for randomised generation; without one, generation is deterministic (the same requests every run). */
  seed?: number;
  workers: number;
}

export interface SchemathesisResult {
  exitCode: number | null;
  output: string;
}

/** Runs schemathesis once; its output is returned whole (it is also the failure report). */
export function runSchemathesis(run: SchemathesisRun): Promise<SchemathesisResult> {
  const args = [
    '--config-file',
    CONFIG_FILE,
    'run',
    run.schemaFile,
    '--url',
    run.baseUrl,
    '--header',
    `Authorization: Bearer ${run.token}`,
    '--checks',
    'all',
    '--exclude-checks',
    Object.keys(EXCLUDED_CHECKS).join(','),
    '--phases',
    run.phases.join(','),
    '--max-examples',
    String(run.maxExamples),
    ...(run.seed === undefined ? ['--generation-deterministic'] : ['--seed', String(run.seed)]),
    '--workers',
    String(run.workers),
    '--request-timeout',
    '30',
    '--no-color',
    ...Object.keys(UNFUZZED_OPERATIONS).flatMap((operation) => ['--exclude-name', operation]),
  ];
  // Its own working directory: schemathesis keeps state (.schemathesis, .hypothesis) in the current one.
  const cwd = mkdtempSync(join(tmpdir(), 'bonding-fuzz-'));
  return new Promise((resolve, reject) => {
    const child = spawn(run.bin, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** The part of schemathesis's output worth reading when it failed: the failures and the summary. */
export function failureReport(output: string, limit = 40_000): string {
  const start = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
  const report = start >= 0 ? output.slice(start) : output;
  return report.length > limit
    ? `${report.slice(0, limit)}\n… (${report.length - limit} more characters)`
    : report;
}
