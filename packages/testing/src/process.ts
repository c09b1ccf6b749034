import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Milliseconds from the spawn to the first ready answer. */
  readyMs: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The first output line containing `text`, waiting for it to arrive through the pipe. */
  waitForLine(text: string, timeoutMs?: number): Promise<string>;
  /** Sends a signal and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartServiceOptions {
  /** The service folder, e.g. services/identity. */
  cwd: string;
  /** `node` arguments, run in `cwd` (default: as `npm start`, tsx and the tracing loader, then src/main.ts). */
  nodeArgs?: string[];
  /** What runs them (default: this Node); e.g. `docker`, with `nodeArgs` being `run … image node …`. */
  command?: string;
  env: Record<string, string>;
  port: number;
  readyPath?: string;
  /** Where readiness is polled when it is not on the service port (the gateway's status port). */
  readyUrl?: string;
  timeoutMs?: number;
  /** Sees the output as it arrives, before the process is ready (to act on a start-up log line). */
  onOutput?: (chunk: string) => void;
}

/** Starts a real service process (by default Node + tsx + the tracing loader) and waits until it is ready. */
export async function startServiceProcess(options: StartServiceOptions): Promise<ServiceProcess> {
  const spawnedAt = Date.now();
  const child = spawn(
    options.command ?? process.execPath,
    options.nodeArgs ?? ['--import', 'tsx', '--import', '@bonding/kit/tracing', 'src/main.ts'],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    options.onOutput?.(String(chunk));
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
    options.onOutput?.(String(chunk));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`service exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const response = await fetch(options.readyUrl ?? `${baseUrl}${options.readyPath ?? '/readyz'}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not become ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    baseUrl,
    readyMs: Date.now() - spawnedAt,
    output: () => output,
    async waitForLine(text, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const line = output.split('\n').find((candidate) => candidate.includes(text));
        if (line !== undefined) return line;
        if (Date.now() > until) throw new Error(`no output line contains ${text}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
