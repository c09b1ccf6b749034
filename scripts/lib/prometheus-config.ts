// A Prometheus scraping local processes as the chart's ServiceMonitors scrape them in Kubernetes: jobs named
// `bonding-<service>` (the gateway's status port as `kong`), the processes' own `service` label kept
// (honor_labels), and `namespace="bonding"`, so the chart's dashboard queries work unchanged. Used by
// `npm start -- --prometheus` and by the live dashboard test (charts/test/prometheus-live.test.ts).
import { stringify } from 'yaml';

export interface ScrapeTarget {
  /** The service's name; the gateway's status port is the job `kong`, like Kong's own. */
  name: string;
  /** Where /metrics is served, e.g. http://127.0.0.1:3001. */
  url: string;
}

export const LOCAL_NAMESPACE = 'bonding';

export function prometheusConfig(targets: ScrapeTarget[], { scrapeInterval = '5s' } = {}): string {
  return stringify({
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: targets.map(({ name, url }) => ({
      job_name: name === 'kong' ? 'kong' : `bonding-${name}`,
      honor_labels: true,
      static_configs: [{ targets: [new URL(url).host], labels: { namespace: LOCAL_NAMESPACE } }],
    })),
  });
}

/** The prometheus command line: this config, data in `dataDir`, listening on `listen` (host:port). */
export function prometheusArgs(options: { configFile: string; dataDir: string; listen: string }): string[] {
  return [
    `--config.file=${options.configFile}`,
    `--storage.tsdb.path=${options.dataDir}`,
    `--web.listen-address=${options.listen}`,
    '--log.level=warn',
  ];
}
