// The chart's Grafana dashboards as the tests read them, with Grafana's variables substituted.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir } from './helm.js';

/** Grafana's variables as the checks substitute them. */
const VARIABLES: Record<string, string> = {
  datasource: 'prometheus',
  namespace: 'bonding',
  service: '.*',
  pod: '.*',
  __rate_interval: '1m',
  __range: '1h',
};

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { refId: string; expr: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

export function readDashboards(): { file: string; dashboard: Dashboard }[] {
  const dir = join(chartDir, 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

export function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => VARIABLES[name] ?? whole);
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring']);

/** The metric names a PromQL expression selects (strings, matchers, ranges and groupings removed). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[A-Za-z_:][\w:]*/g)) {
    const rest = stripped.slice((match.index ?? 0) + match[0].length).trimStart();
    if (!rest.startsWith('(') && !KEYWORDS.has(match[0])) names.add(match[0]);
  }
  return [...names];
}
