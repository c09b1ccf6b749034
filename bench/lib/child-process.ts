// Processes the bench starts: services (timed from spawn to their first ready answer), one-shot scripts
// and load generators. Output is kept (the tail) to explain a failure, never echoed: logs are at warn.
import { type ChildProcess, spawn } from 'node:child_process';
import { exited, stop } from '../../scripts/lib/processes.js';

const TAIL_CHARS = 4_000;

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** The last few thousand characters the process wrote. */
  tail(): string;
}

export function spawnQuiet(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
  return { child, pid: child.pid, tail: () => output };
}

/** Runs a script to completion; a non-zero exit throws with what it printed. */
export async function runToCompletion(
  label: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string> {
  const spawned = spawnQuiet(command, args, options);
  const exit = await exited(spawned.child);
  if (exit.code !== 0) throw new Error(`${label} failed (${exit.code ?? exit.signal}):\n${spawned.tail()}`);
  return spawned.tail();
}

export interface RunningService extends Spawned {
  name: string;
  /** Milliseconds from spawn to the first 200 from its readiness URL. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts a service and polls its readiness URL every 10 ms until it answers 200. */
export async function startService(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; readyUrl: string; timeoutMs?: number },
): Promise<RunningService> {
  const started = performance.now();
  const spawned = spawnQuiet(command, args, options);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = 'no answer yet';
  for (;;) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) {
      throw new Error(`${name} exited before it was ready:\n${spawned.tail()}`);
    }
    try {
      const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) break;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      await stop(spawned.child, 2_000, false);
      throw new Error(`${name} was not ready in time (${last}):\n${spawned.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const readyMs = Math.round(performance.now() - started);
  return { ...spawned, name, readyMs, stop: () => stop(spawned.child, 10_000, false) };
}
