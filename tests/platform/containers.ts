import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { runCaptured } from '../../scripts/lib/processes.js';

/**
 * Service processes in containers of their images, run as the chart runs the pods: user 10001, read-only
 * root filesystem, /tmp a tmpfs, every capability dropped, no privilege escalation. `--network host`, so
 * they reach the local MariaDB and each other on 127.0.0.1 as the processes of `npm start` do. The
 * environment goes by name (`-e NAME`: the client passes its own value), so no secret is on a command
 * line; a value that is a host path (the JWT key folder) is mounted read-only at the same path, as a
 * copy owned by the container's user (a pod reads its Secret volumes through its fsGroup the same way).
 */
const CONTAINER_USER = 10001;

/** Gives `path` and everything under it to the container's user. */
function chownTree(path: string): void {
  chownSync(path, CONTAINER_USER, CONTAINER_USER);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry));
}

export class Containers {
  /** Labels every container of this run, so close() finds those whose client was killed. */
  private readonly run = `bonding-test-${randomBytes(4).toString('hex')}`;
  private count = 0;
  private readonly copies = new Map<string, string>();
  private readonly staging = mkdtempSync(join(tmpdir(), 'bonding-containers-'));

  constructor(
    readonly docker: string,
    /** The image's CMD: a container given these arguments runs its own CMD instead. */
    private readonly cmd: string[],
  ) {}

  /** The `docker run` arguments that run `command` (default: the image's CMD) in a new container. */
  args(image: string, name: string, env: Record<string, string>, command: string[] = []): string[] {
    const mounts = Object.values(env)
      .filter((value) => isAbsolute(value) && existsSync(value))
      .flatMap((path) => ['--volume', `${this.copyFor(path)}:${path}:ro`]);
    const same = JSON.stringify(command) === JSON.stringify(this.cmd);
    return [
      'run',
      '--rm',
      '--name',
      `${this.run}-${name}-${++this.count}`,
      '--label',
      `bonding-test=${this.run}`,
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--user',
      `${CONTAINER_USER}:${CONTAINER_USER}`,
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      ...mounts,
      ...Object.keys(env).flatMap((key) => ['--env', key]),
      image,
      ...(same ? [] : command),
    ];
  }

  private copyFor(path: string): string {
    let copy = this.copies.get(path);
    if (!copy) {
      copy = join(this.staging, String(this.copies.size));
      cpSync(path, copy, { recursive: true });
      chownTree(copy);
      this.copies.set(path, copy);
    }
    return copy;
  }

  /** A platform launch's `run`: each `node` invocation in a container of `image`. */
  runner(image: string, name: string) {
    return (nodeArgs: string[], env: Record<string, string>) => ({
      command: this.docker,
      args: this.args(image, name, env, ['node', ...nodeArgs]),
    });
  }

  /** The running container whose name starts with this run's `<name>-`. */
  async find(name: string): Promise<string> {
    const { output } = await runCaptured(
      this.docker,
      ['ps', '--filter', `label=bonding-test=${this.run}`, '--format', '{{.Names}}'],
      { cwd: '/' },
    );
    const found = output.split('\n').find((line) => line.startsWith(`${this.run}-${name}-`));
    if (!found) throw new Error(`no running container of ${name}:\n${output}`);
    return found;
  }

  /** Removes every container of this run (a killed client leaves its container running). */
  async close(): Promise<void> {
    const { output } = await runCaptured(
      this.docker,
      ['ps', '-aq', '--filter', `label=bonding-test=${this.run}`],
      {
        cwd: '/',
      },
    );
    const ids = output.split('\n').filter(Boolean);
    if (ids.length > 0) await runCaptured(this.docker, ['rm', '-f', ...ids], { cwd: '/' });
    rmSync(this.staging, { recursive: true, force: true });
  }
}
