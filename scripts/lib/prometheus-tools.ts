// Prometheus and promtool from the OS packages, for the chart's rule tests (charts/test/rules.test.ts):
// already on PATH, else `apt-get install prometheus` as root on Debian (apt-get update first only when the
// install fails, e.g. for lack of package lists). Nothing is cached under .tools.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { info, which } from './processes.js';

const SBIN_DIRS = ['/usr/sbin', '/sbin'];

export interface PrometheusTools {
  promtool: string;
  prometheus: string | undefined;
}

function found(): PrometheusTools | undefined {
  const promtool = which('promtool');
  return promtool ? { promtool, prometheus: which('prometheus') } : undefined;
}

export function ensurePrometheusTools(): PrometheusTools {
  const present = found();
  if (present) return present;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/etc/debian_version') || !which('apt-get', SBIN_DIRS)) {
    throw new Error(
      'promtool is not installed: install Prometheus from your OS packages (e.g. sudo apt-get install prometheus)',
    );
  }
  const started = Date.now();
  info('chart', 'promtool missing: apt-get install prometheus');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      stdio: 'inherit',
      env,
    });
  if (install().status !== 0 && !found()) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  // Without an init system the package's service start may fail the install; the binaries are what count.
  const tools = found();
  if (!tools) throw new Error('apt-get install prometheus did not provide promtool; see the output above');
  info('chart', `prometheus installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tools;
}
