// Debian packages installed by the local tooling (MariaDB, Prometheus, the container engine): only as root
// on Debian with apt-get; the package lists are refreshed only when an install fails (a new machine may
// have none), so an up-to-date machine pays one `apt-get install` of what it already has.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { which } from './processes.js';

export const SBIN_DIRS = ['/usr/sbin', '/sbin'];

/** Why this machine cannot install OS packages, or undefined when it can. */
export function cannotInstallPackages(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync('/etc/debian_version')) return 'not a Debian system';
  if (!which('apt-get', SBIN_DIRS)) return 'apt-get is not on PATH';
  return undefined;
}

/**
 * `apt-get install` of `packages` with the output shown; `installed` says whether what the caller needs is
 * there afterwards. Without an init system a package's service start can fail the install although its
 * binaries are in place, so the caller's check, not apt-get's exit code, decides.
 */
export function aptInstall(packages: string[], installed: () => boolean): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  if (install().status === 0 && installed()) return true;
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  install();
  return installed();
}
