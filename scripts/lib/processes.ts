// Child-process helpers for the local runner: prefixed, line-buffered output; bounded shutdown.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const colorEnabled =
  process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
    ? true
    : Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';

const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93];

export const style = {
  bold: (s: string) => (colorEnabled ? `\x1b[1m${s}\x1b[22m` : s),
  dim: (s: string) => (colorEnabled ? `\x1b[2m${s}\x1b[22m` : s),
  red: (s: string) => (colorEnabled ? `\x1b[31m${s}\x1b[39m` : s),
  green: (s: string) => (colorEnabled ? `\x1b[32m${s}\x1b[39m` : s),
  color: (index: number, s: string) =>
    colorEnabled ? `\x1b[${PALETTE[index % PALETTE.length]}m${s}\x1b[39m` : s,
};

export function step(title: string): void {
  console.log(`\n${style.bold(`▶ ${title}`)}`);
}

export function info(scope: string, message: string): void {
  console.log(`${style.dim(`[${scope}]`)} ${message}`);
}

/** A label such as `[identity]  `, padded to `width` and coloured by `index`. */
export function label(name: string, index: number, width: number): string {
  return style.color(index, `[${name}]`.padEnd(width + 2));
}

function pipeLines(stream: Readable | null, prefix: string, out: NodeJS.WriteStream): void {
  if (!stream) return;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => out.write(`${prefix} ${line}\n`));
}

export interface PrefixedOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  prefix: string;
  /** Own process group, so a terminal's Ctrl-C reaches only the runner, which then stops it in order. */
  detached?: boolean;
}

/** Spawns a process whose stdout and stderr lines are written with `prefix`. */
export function spawnPrefixed(command: string, args: string[], options: PrefixedOptions): ChildProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  };
  const child = spawn(command, args, spawnOptions);
  pipeLines(child.stdout, options.prefix, process.stdout);
  pipeLines(child.stderr, options.prefix, process.stderr);
  return child;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the process has exited and its output has been flushed. */
export function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolveExit, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('error', reject);
    child.once('close', (code, signal) => resolveExit({ code, signal }));
  });
}

export function exitCodeOf(exit: Exit): number {
  if (exit.code !== null) return exit.code;
  return 1;
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Runs a command with inherited stdio; resolves with its exit code. */
export async function runInherit(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'inherit' });
  return exitCodeOf(await exited(child));
}

/** Runs a command to its end with its output collected (stdout and stderr, interleaved as they came). */
export async function runCaptured(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ exit: Exit; output: string }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = await exited(child);
  return { exit, output };
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM, then SIGKILL after `graceMs` if the process has not exited. With `group`, signals the
 * whole process group of a detached child (its own children included).
 */
export async function stop(child: ChildProcess, graceMs: number, group = true): Promise<void> {
  if (!isRunning(child)) return;
  const done = exited(child).catch(() => undefined);
  signalGroup(child, 'SIGTERM', group);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    signalGroup(child, 'SIGKILL', group);
    await done;
  }
}

/** Finds an executable on PATH (plus `extraDirs`, e.g. /usr/sbin which non-root PATHs often lack). */
export function which(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The pid written in `pidFile` (a server this project started), if that process is alive. */
export function livePid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
