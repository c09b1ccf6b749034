import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeOpenApi } from '../../services/docs/src/merge.js';
import { PLATFORM_SERVICES, type Platform } from './platform.js';

/**
 * What every response must satisfy. Left out on purpose: `positive_data_acceptance` (a schema-valid
 * request may still be refused: cross-field rules such as minPrincipal ≤ maxPrincipal, a stale
 * If-Match, a state that forbids the move, numbers written as 10.0, which JSON Schema calls integers
 * and this API refuses) and `unsupported_method` (Kong matches routes by method, so a method a route
 * does not list is a 404 `no Route matched`, never a 405).
 */
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'use_after_free',
  'ensure_resource_availability',
  'ignored_auth',
];

/** A server-sent event stream stays open as long as its token lives; its tests are in services/notifications. */
export const UNFUZZED_PATHS = ['/api/v1/notifications/stream'];

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

export interface SchemathesisRun {
  bin: string;
  schemaFile: string;
  /** The edge's base URL: every generated request goes through it. */
  baseUrl: string;
  token: string;
  phases: string[];
  maxExamples: number;
  seed: number;
  workers: number;
}

export interface SchemathesisResult {
  exitCode: number | null;
  output: string;
}

/** Runs schemathesis once; its output is returned whole (it is also the failure report). */
export function runSchemathesis(run: SchemathesisRun): Promise<SchemathesisResult> {
  const args = [
    'run',
    run.schemaFile,
    '--url',
    run.baseUrl,
    '--header',
    `Authorization: Bearer ${run.token}`,
    '--checks',
    FUZZ_CHECKS.join(','),
    '--phases',
    run.phases.join(','),
    '--max-examples',
    String(run.maxExamples),
    '--seed',
    String(run.seed),
    '--workers',
    String(run.workers),
    '--request-timeout',
    '30',
    '--generation-database',
    'none',
    '--no-color',
    ...UNFUZZED_PATHS.flatMap((path) => ['--exclude-path', path]),
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
