// The Grafana dashboards in charts/bonding/dashboards, checked offline: every panel query names only metrics
// the platform's code really registers (read from the services' own registries, not from a list), or, for
// series no local process can export (kube-state-metrics, Kong's nginx counters), a recorded list; and, with
// promtool (npm test installs it), every query parses as PromQL once Grafana's variables are substituted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  createIdempotency,
  createPoolMetrics,
  createServiceMetrics,
  eventMetrics,
} from '../../packages/kit/src/index.js';
import { createEdgeMetrics } from '../../services/gateway/src/plugins/prometheus.js';
import { createIdentityMetrics } from '../../services/identity/src/metrics.js';
import { createLedgerMetrics } from '../../services/ledger/src/metrics.js';
import { createLoansMetrics } from '../../services/loans/src/metrics.js';
import { createNotificationMetrics } from '../../services/notifications/src/metrics.js';
import { metricNames, readDashboards, substitute } from './dashboards.js';

/** Series from outside the platform's processes, by source (their documented names). */
const EXTERNAL_METRICS: Record<string, string> = {
  kube_pod_container_status_restarts_total: 'kube-state-metrics',
  kong_nginx_connections_total: "Kong's prometheus plugin (nginx status)",
  jetstream_consumer_num_pending: 'prometheus-nats-exporter (jsz)',
  jetstream_consumer_num_redelivered: 'prometheus-nats-exporter (jsz)',
};

/** Every name the platform's processes register, read from the same constructors the services call. */
function registeredMetricNames(): Set<string> {
  const service = createServiceMetrics('any');
  eventMetrics(service.registry);
  createIdempotency({ db: {} as never, registry: service.registry });
  createIdentityMetrics(service);
  createLedgerMetrics(service);
  createLoansMetrics(service, {} as never);
  createPoolMetrics(service.registry, 1);
  createNotificationMetrics(service, {} as never);
  createEdgeMetrics(service.registry);
  const names = new Set<string>();
  for (const metric of service.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

const dashboards = readDashboards();
const panels = dashboards.flatMap(({ dashboard }) =>
  dashboard.panels
    .filter((panel) => panel.type !== 'row')
    .map((panel) => ({ dashboard: dashboard.title, panel })),
);

describe('Grafana dashboards (charts/bonding/dashboards)', () => {
  it('have unique uids and panel ids, and every panel queries the chosen data source', () => {
    expect(new Set(dashboards.map(({ dashboard }) => dashboard.uid)).size).toBe(dashboards.length);
    for (const { dashboard } of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, dashboard.title).toBe(ids.length);
    }
    for (const { dashboard, panel } of panels) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable, not a template string
      expect(panel.datasource?.uid, `${dashboard} / ${panel.title}`).toBe('${datasource}');
      expect(panel.targets?.length, `${dashboard} / ${panel.title} has queries`).toBeGreaterThan(0);
    }
  });

  it('query only metrics the code registers, or the recorded external ones (listed here)', () => {
    const known = registeredMetricNames();
    const external: string[] = [];
    for (const { dashboard, panel } of panels) {
      for (const target of panel.targets ?? []) {
        const names = metricNames(substitute(target.expr));
        expect(names.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) {
          const source = EXTERNAL_METRICS[name];
          if (source) external.push(`${dashboard} / ${panel.title}: ${name} (${source})`);
          else expect(known.has(name), `${dashboard} / ${panel.title}: unknown metric ${name}`).toBe(true);
        }
      }
    }
    expect(external).toEqual([
      "Bonding Platform — edge (Kong) / Connections (Kong only): kong_nginx_connections_total (Kong's prometheus plugin (nginx status))",
      'Bonding Platform — overview / Pending events per durable (NATS): jetstream_consumer_num_pending (prometheus-nats-exporter (jsz))',
      'Bonding Platform — overview / Redelivered events per durable (NATS): jetstream_consumer_num_redelivered (prometheus-nats-exporter (jsz))',
      'Bonding Platform — runtime / Container restarts in the last hour (kube-state-metrics): kube_pod_container_status_restarts_total (kube-state-metrics)',
    ]);
  });

  const promtool = process.env.PROMTOOL;
  it.skipIf(!promtool)('parse as PromQL with the variables substituted (promtool check rules)', () => {
    const rules = panels
      .flatMap(({ panel }) => (panel.targets ?? []).map((target) => substitute(target.expr)))
      .map((expr, index) => ({ record: `dashboard:query${index}`, expr }));
    const work = mkdtempSync(join(tmpdir(), 'bonding-dashboards-'));
    try {
      writeFileSync(join(work, 'queries.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
      const output = execFileSync(promtool as string, ['check', 'rules', 'queries.yml'], {
        cwd: work,
        encoding: 'utf8',
        stdio: 'pipe',
      });
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
