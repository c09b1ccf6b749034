// `npm start -- --prometheus`: a Prometheus (the OS package; installed as root on Debian when missing)
// scraping every local service's /metrics and the gateway's status port, with its configuration and data in
// .local/prometheus/. PROMETHEUS_PORT chooses its port (9090 by default).
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from './mysql-server.js';
import { ensureDir, localDir } from './paths.js';
import { sleep, spawnPrefixed } from './processes.js';
import { prometheusArgs, prometheusConfig, type ScrapeTarget } from './prometheus-config.js';
import { ensurePrometheusTools } from './prometheus-tools.js';
import type { ServiceSpec } from './services.js';

export const PROMETHEUS_FLAG = '--prometheus';
const READY_TIMEOUT_MS = 30_000;

/** What Prometheus scrapes: each service's own port, and for the gateway its status port (as `kong`). */
export function localScrapeTargets(specs: ServiceSpec[]): ScrapeTarget[] {
  return specs.map((spec) =>
    spec.edge && spec.readyUrl
      ? { name: 'kong', url: new URL(spec.readyUrl).origin }
      : { name: spec.name, url: `http://127.0.0.1:${spec.port}` },
  );
}

/** Writes .local/prometheus/prometheus.yml and starts Prometheus on it; resolves once it is ready. */
export async function startLocalPrometheus(
  specs: ServiceSpec[],
  prefix: string,
): Promise<{ child: ChildProcess; url: string; configFile: string }> {
  const { prometheus } = ensurePrometheusTools();
  if (!prometheus) {
    throw new SetupError('promtool is installed but the prometheus binary is not on PATH');
  }
  const port = Number(process.env.PROMETHEUS_PORT ?? 9090);
  const dir = ensureDir(join(localDir, 'prometheus'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(localScrapeTargets(specs)));
  const child = spawnPrefixed(
    prometheus,
    prometheusArgs({ configFile, dataDir: join(dir, 'data'), listen: `127.0.0.1:${port}` }),
    { cwd: dir, env: process.env, prefix, detached: true },
  );
  const url = `http://localhost:${port}`;
  const started = Date.now();
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/-/ready`, {
      signal: AbortSignal.timeout(2_000),
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { child, url, configFile };
    if (child.exitCode !== null || Date.now() - started > READY_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new SetupError(
        `prometheus did not become ready on port ${port} (set PROMETHEUS_PORT to move it)`,
      );
    }
    await sleep(250);
  }
}
