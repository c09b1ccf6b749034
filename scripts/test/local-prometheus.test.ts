import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localScrapeTargets } from '../lib/local-prometheus.js';
import { prometheusConfig } from '../lib/prometheus-config.js';
import { services } from '../lib/services.js';

const tmp = mkdtempSync(join(tmpdir(), 'bonding-local-prometheus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ScrapeConfig {
  job_name: string;
  honor_labels: boolean;
  static_configs: { targets: string[]; labels: Record<string, string> }[];
}

describe('npm start --prometheus', () => {
  const config = prometheusConfig(localScrapeTargets(services));
  const jobs = (parse(config) as { scrape_configs: ScrapeConfig[] }).scrape_configs;

  it("scrapes every local service's port and the gateway's status port, named as in Kubernetes", () => {
    const expected = services
      .filter((spec) => !spec.edge)
      .map((spec) => [`bonding-${spec.name}`, `127.0.0.1:${spec.port}`]);
    expect(jobs.map((job) => [job.job_name, job.static_configs[0]?.targets[0]])).toEqual([
      ...expected,
      ['kong', '127.0.0.1:8100'],
    ]);
    for (const job of jobs) {
      // The processes' own `service` label wins, and the dashboards' $namespace has a value.
      expect(job.honor_labels).toBe(true);
      expect(job.static_configs[0]?.labels).toEqual({ namespace: 'bonding' });
    }
  });

  const promtool = process.env.PROMTOOL;
  it.skipIf(!promtool)('writes a configuration Prometheus accepts (promtool check config)', () => {
    const file = join(tmp, 'prometheus.yml');
    writeFileSync(file, config);
    const output = execFileSync(promtool as string, ['check', 'config', file], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(output).toContain('SUCCESS');
  });
});
