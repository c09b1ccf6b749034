// The offline schemas npm test validates rendered objects with must actually reject bad objects: a
// folder of schemas that accepted anything would make every kubeconform run green.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helm.js';

const tools = join(repoRoot, '.tools', 'k8s');
const kubeconform = join(tools, 'bin', 'kubeconform');
const schemas = join(tools, 'schemas');
const ready = existsSync(kubeconform) && existsSync(join(schemas, 'stamp'));
const work = mkdtempSync(join(tmpdir(), 'bonding-schemas-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function validate(manifest: string): { ok: boolean; output: string } {
  const file = join(work, `m${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, manifest);
  const location = join(
    schemas,
    '{{ .NormalizedKubernetesVersion }}',
    '{{ .ResourceKind }}{{ .KindSuffix }}.json',
  );
  try {
    const output = execFileSync(
      kubeconform,
      ['-strict', '-kubernetes-version', '1.29.0', '-schema-location', location, file],
      {
        encoding: 'utf8',
      },
    );
    return { ok: true, output };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout) };
  }
}

const deployment = (extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: x }
spec:
  selector: { matchLabels: { a: b } }
  template:
    metadata: { labels: { a: b } }
    spec:
      containers: [{ name: c, image: i${extra} }]
`;

describe.skipIf(!ready)('offline Kubernetes schemas (built by npm test into .tools/k8s/schemas)', () => {
  it('accept a valid Deployment', () => {
    expect(validate(deployment('')).ok).toBe(true);
  });

  it('reject an unknown field in a core kind', () => {
    const result = validate(deployment(', imagePulPolicy: Always'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain("additional properties 'imagePulPolicy' not allowed");
  });

  it('reject a wrong type in a core kind', () => {
    const result = validate(
      deployment('').replace('spec:\n  selector', 'spec:\n  replicas: two\n  selector'),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain('/spec/replicas');
  });

  it('reject a KongPlugin that nests its plugin under spec (it is top-level)', () => {
    const result = validate(
      'apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata: { name: p }\nspec: { plugin: jwt }\nplugin: jwt\n',
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain("additional properties 'spec' not allowed");
  });

  it('reject a misspelt ServiceMonitor field', () => {
    const result = validate(
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: s }\nspec:\n  selector: {}\n  endpoints: [{ port: http, intervall: 30s }]\n',
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain("'intervall' not allowed");
  });

  it('report a kind without a schema as an error, not a pass', () => {
    const result = validate('apiVersion: example.com/v1\nkind: Frobnicator\nmetadata: { name: f }\n');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('could not find schema for Frobnicator');
  });
});
