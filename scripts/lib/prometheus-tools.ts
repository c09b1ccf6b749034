// Prometheus and promtool from the OS packages, for the chart's rule tests (charts/test/rules.test.ts):
// already on PATH, else `apt-get install prometheus` as root on Debian (scripts/lib/os-packages.ts).
// Nothing is cached under .tools.
import { aptInstall, cannotInstallPackages } from './os-packages.js';
import { info, which } from './processes.js';

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
  if (cannotInstallPackages()) {
    throw new Error(
      'promtool is not installed: install Prometheus from your OS packages (e.g. sudo apt-get install prometheus)',
    );
  }
  const started = Date.now();
  info('chart', 'promtool missing: apt-get install prometheus');
  const tools = aptInstall(['prometheus'], () => found() !== undefined) ? found() : undefined;
  if (!tools) throw new Error('apt-get install prometheus did not provide promtool; see the output above');
  info('chart', `prometheus installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tools;
}
