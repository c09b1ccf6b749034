// A Docker engine for the image tests (tests/platform/container-images.test.ts): the one already running,
// else Debian's docker.io installed and its daemon started here. The daemon gets no bridge network and
// touches no iptables (`--bridge=none --iptables=false`): containers run with `--network host`, so all
// their traffic stays on this machine's loopback, and nothing of the host's firewall changes.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall, cannotInstallPackages, SBIN_DIRS } from './os-packages.js';
import { localDir } from './paths.js';
import { info, sleep, which } from './processes.js';

/**
 * The Debian package's own client first: it builds with BuildKit through the daemon (DOCKER_BUILDKIT=1),
 * where a newer client on PATH without the buildx plugin refuses to.
 */
const DEBIAN_CLIENT = '/usr/bin/docker';
const daemonLog = join(localDir, 'dockerd.log');

export interface ContainerEngine {
  /** The docker client to run. */
  docker: string;
  /** What was done to get it: "running", "started …" or "installed and started …". */
  how: string;
}

const client = () => (existsSync(DEBIAN_CLIENT) ? DEBIAN_CLIENT : which('docker'));

function answers(docker: string | undefined): docker is string {
  if (!docker) return false;
  return spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore' }).status === 0;
}

/** Why no engine can be had here (to skip with), or undefined when one can. */
export function engineUnavailable(): string | undefined {
  if (answers(client())) return undefined;
  const why = cannotInstallPackages();
  return why ? `no Docker engine answers and none can be installed (${why})` : undefined;
}

const PID_FILE = '/var/run/docker.pid';

/**
 * A daemon killed with the machine's last session leaves its pid file; dockerd refuses to start while
 * the pid it names is alive, which after a reboot may be any other process.
 */
function removeStalePidFile(): void {
  let pid: string;
  try {
    pid = readFileSync(PID_FILE, 'utf8').trim();
  } catch {
    return;
  }
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {}
  if (command !== 'dockerd') rmSync(PID_FILE, { force: true });
}

async function startDaemon(docker: string): Promise<void> {
  const dockerd = which('dockerd', SBIN_DIRS);
  if (!dockerd) throw new Error('docker.io is installed but dockerd is not on PATH or in /usr/sbin');
  removeStalePidFile();
  mkdirSync(localDir, { recursive: true });
  const log = openSync(daemonLog, 'a');
  // Detached and unreferenced: the daemon outlives the test run, as the local MariaDB does, so the next
  // run reuses its image and layer cache.
  const daemon = spawn(dockerd, ['--bridge=none', '--iptables=false', '--ip6tables=false'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  daemon.unref();
  closeSync(log);
  const deadline = Date.now() + 60_000;
  while (!answers(docker)) {
    if (daemon.exitCode !== null) throw new Error(`dockerd exited with ${daemon.exitCode}: see ${daemonLog}`);
    if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s: see ${daemonLog}`);
    await sleep(250);
  }
}

/** An answering engine: the running one, or docker.io installed (with debootstrap for stand-ins) and started. */
export async function ensureContainerEngine(): Promise<ContainerEngine> {
  const running = client();
  if (answers(running)) return { docker: running, how: 'running' };
  const why = cannotInstallPackages();
  if (why) throw new Error(`no Docker engine answers and none can be installed: ${why}`);
  const started = Date.now();
  const install = !existsSync(DEBIAN_CLIENT) || !which('dockerd', SBIN_DIRS);
  if (install) {
    info('images', 'apt-get install docker.io');
    if (!aptInstall(['docker.io'], () => existsSync(DEBIAN_CLIENT))) {
      throw new Error('apt-get install docker.io did not provide /usr/bin/docker; see the output above');
    }
  }
  info('images', `starting dockerd --bridge=none --iptables=false (log: ${daemonLog})`);
  await startDaemon(DEBIAN_CLIENT);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { docker: DEBIAN_CLIENT, how: `${install ? 'installed and started' : 'started'} in ${seconds} s` };
}
