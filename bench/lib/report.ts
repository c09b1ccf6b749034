// The results file (bench/results/<date>[-quick].md) and the summary printed at the end of a run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir } from '../../scripts/lib/paths.js';
import { describeCpuUse } from './cpu-use.js';
import type { BenchRun } from './measurements.js';
import { evaluateTargets, type TargetOutcome } from './targets.js';

const fixed = (x: number | undefined, digits = 0) => (x === undefined ? '—' : x.toFixed(digits));
const verdict = (outcome: TargetOutcome) =>
  outcome.met === undefined ? 'not measured' : outcome.met ? 'met' : 'NOT met';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function loadRows(run: BenchRun): string[][] {
  return run.loads.map((load) => [
    load.endpoint,
    load.route,
    load.variant,
    fixed(load.result.requestsPerSecond),
    fixed(load.result.p50Ms, 1),
    fixed(load.result.p99Ms, 1),
    String(load.result.errors),
    fixed(load.result.generatorPeakMB),
  ]);
}

function processRows(run: BenchRun): string[][] {
  return run.processes.map((p) => [
    p.service,
    p.variant,
    String(p.readyMs),
    fixed(p.idleRssMB),
    fixed(p.peakRssMB),
  ]);
}

export function renderReport(run: BenchRun, outcomes: TargetOutcome[]): string {
  const { machine } = run;
  const title = `# Benchmark ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${run.quick ? ' — QUICK RUN (harness check, not a recorded result)' : ''}`;
  return [
    title,
    '',
    run.quick
      ? '> A `--quick` run: every scenario for a few seconds, on a machine that may have been busy. It shows that the harness works and what the report looks like; do not compare its numbers.\n'
      : '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'verdict', 'why / what limits it'],
      outcomes.map((o) => [o.target, o.measured, verdict(o), o.reason]),
    ),
    '',
    '## Load runs',
    '',
    'req/s counts every answer; `errors` are connection errors plus answers with an unexpected status. ' +
      '`gen MB` is the load generator’s own peak RSS.',
    '',
    table(['endpoint', 'route', 'variant', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'gen MB'], loadRows(run)),
    '',
    '## Processes',
    '',
    'Ready: from spawn to the first 200 from `/readyz` (the gateway: its status port), services started one at ' +
      'a time. Idle RSS: 3 s after ready, before any load. Peak: the highest RSS by the end of the load runs.',
    '',
    table(['service', 'variant', 'ready ms', 'idle RSS MB', 'peak RSS MB'], processRows(run)),
    '',
    ...(run.cpu && run.cpu.length > 0
      ? [
          '## Where the CPU went',
          '',
          'Cores each process used during the load run, warm-up included (user + system time from /proc; the ' +
            "load generator is the bench's ended worker). On 2 cores what one process cannot get, another took.",
          '',
          table(
            ['run', 'seconds', 'cores used'],
            run.cpu.map(({ id, use }) => [id, use.seconds.toFixed(1), describeCpuUse(use)]),
          ),
          '',
        ]
      : []),
    '## Machine',
    '',
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB (${machine.freeMemoryGiB} GiB free at the start)`,
    `- load average at the start: ${machine.loadAverage}`,
    `- ${machine.platform}, Node ${machine.node}`,
    '',
    '## Profile',
    '',
    ...run.profile.map((line) => `- ${line}`),
    '',
    '## Commands',
    '',
    ...run.commands.map((line) => `- \`${line}\``),
    '',
    ...(run.notes.length > 0 ? ['## Notes', '', ...run.notes.map((line) => `- ${line}`), ''] : []),
  ].join('\n');
}

/** Writes the results file and prints the summary; returns the file's path. */
export function writeReport(run: BenchRun, dir: string): string {
  const outcomes = evaluateTargets(run);
  mkdirSync(dir, { recursive: true });
  const stamp = run.startedAt.toISOString().slice(0, 16).replace(':', '');
  const file = join(dir, `${stamp}${run.quick ? '-quick' : ''}.md`);
  writeFileSync(file, renderReport(run, outcomes));
  // Laid out as the repository's formatter wants it (aligned tables), so the recorded file passes lint.
  spawnSync(join(binDir, 'biome'), ['format', '--write', file], { stdio: 'ignore' });
  console.log('');
  console.table(
    run.loads.map((load) => ({
      endpoint: load.endpoint,
      route: load.route,
      variant: load.variant,
      'req/s': Math.round(load.result.requestsPerSecond),
      'p50 ms': Number(load.result.p50Ms.toFixed(1)),
      'p99 ms': Number(load.result.p99Ms.toFixed(1)),
      errors: load.result.errors,
    })),
  );
  console.table(outcomes.map((o) => ({ target: o.target, verdict: verdict(o), measured: o.measured })));
  return file;
}
