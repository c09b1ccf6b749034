// The chart's PrometheusRule, checked by promtool: `promtool check rules` on the rule groups rendered with
// the production values, and `promtool test rules` with charts/test/prometheus/rules-test.yaml, whose input
// series make every alert fire and, for others (or earlier), stay silent. Each alert also needs its runbook
// in docs/runbooks. npm test installs promtool (PROMTOOL) with helm (HELM); alone, the test skips without them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { findHelm, renderChart, repoRoot } from './helm.js';
import type { K8sObject } from './kic.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

function findPromtool(): string | undefined {
  if (process.env.PROMTOOL) return process.env.PROMTOOL;
  if (process.env.HELM) throw new Error('npm test sets HELM but not PROMTOOL: promtool was not installed');
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.map((dir) => join(dir, 'promtool')).find((file) => existsSync(file));
}

const helm = findHelm();
const promtool = findPromtool();
const testFile = join(import.meta.dirname, 'prometheus', 'rules-test.yaml');

describe.skipIf(!helm || !promtool)('PrometheusRule (promtool)', () => {
  let work: string;
  let groups: RuleGroup[];
  const promtoolRun = (args: string[]) =>
    execFileSync(promtool as string, args, { cwd: work, encoding: 'utf8', stdio: 'pipe' });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bonding-rules-'));
    const objects = renderChart(helm as string, 'production-values.yaml');
    const rule = objects.find((object) => object.kind === 'PrometheusRule') as
      | (K8sObject & { spec: { groups: RuleGroup[] } })
      | undefined;
    if (!rule) throw new Error('production values render no PrometheusRule');
    groups = rule.spec.groups;
    writeFileSync(join(work, 'rules.yml'), stringify({ groups }));
    copyFileSync(testFile, join(work, 'rules-test.yaml'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const alerts = () => groups.flatMap((group) => group.rules).filter((rule) => rule.alert);

  it('passes promtool check rules', () => {
    expect(promtoolRun(['check', 'rules', 'rules.yml'])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes promtool test rules (every alert fires for some series and stays silent for others)', () => {
    let output: string;
    try {
      output = promtoolRun(['test', 'rules', 'rules-test.yaml']);
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`promtool test rules failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
    }
    expect(output).toContain('SUCCESS');
  });

  it('tests every alert both firing and silent', () => {
    const tests = (parse(readFileSync(testFile, 'utf8')) as RuleTests).tests.flatMap(
      (test) => test.alert_rule_test ?? [],
    );
    for (const name of new Set(alerts().map((rule) => rule.alert as string))) {
      const cases = tests.filter((test) => test.alertname === name);
      expect(
        cases.some((test) => test.exp_alerts.length > 0),
        `${name} fires in a test`,
      ).toBe(true);
      expect(
        cases.some((test) => test.exp_alerts.length === 0),
        `${name} stays silent in a test`,
      ).toBe(true);
    }
  });

  it('gives every alert a runbook in docs/runbooks', () => {
    for (const rule of alerts()) {
      const url = rule.annotations?.runbook_url ?? '';
      const note = url.match(/\/docs\/runbooks\/([A-Za-z]+\.md)$/)?.[1];
      expect(note, `${rule.alert} runbook_url ${url}`).toBeDefined();
      expect(existsSync(join(repoRoot, 'docs', 'runbooks', note as string)), `${note} exists`).toBe(true);
    }
  });
});
