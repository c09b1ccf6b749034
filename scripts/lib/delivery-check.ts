// The offline checks of the delivery files that `npm test` runs after the chart checks (the vitest file
// scripts/test/delivery.test.ts checks their content: Dockerfile conventions, pinned actions, k8s/ wiring):
//   1. actionlint over .github/workflows (syntax, expressions, job/step references, shellcheck when on PATH)
//      and hadolint over the Dockerfile (any finding, warnings included, fails);
//   2. skaffold.yaml against skaffold's JSON schema v4beta14, pinned by SHA-256 in upstream-files.ts (an
//      offline copy: BONDING_SKAFFOLD_SCHEMA or ../shared/schemas; else .cache/upstream or fetched);
//   3. `bash -n` of every shell script (k8s/, .github/scripts/, .ci/);
//   4. charts/bonding rendered with k8s/values/bonding-kind.yaml (helm template applies values.schema.json)
//      and validated, with k8s/'s own manifests, by kubeconform.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, RENDER_KUBE_VERSION } from './chart-check.js';
import { ensureSchemas, schemaLocation } from './chart-schemas.js';
import { chartToolsDir, ensureChartTools, TOOL_VERSIONS } from './chart-tools.js';
import { ensureDeliveryTools } from './delivery-tools.js';
import { repoRoot } from './paths.js';
import { info, runInherit } from './processes.js';
import { runCapture } from './run-capture.js';
import { CRD_REQUIREMENTS, SKAFFOLD_SCHEMA } from './upstream-files.js';
import { resolvePinned } from './upstream-sources.js';

export const SKAFFOLD_API_VERSION = 'skaffold/v4beta14';

const k8sDir = join(repoRoot, 'k8s');

// Draft-07 validation with the jsonschema package of the chart tools' virtualenv (a checkov dependency).
const validateScript = `
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
# The root is anyOf[SkaffoldConfig]: validate against SkaffoldConfig itself, so every error is reported.
root = {k: v for k, v in schema.items() if k != "anyOf"}
root["$ref"] = "#/definitions/SkaffoldConfig"
errors = list(jsonschema.Draft7Validator(root).iter_errors(yaml.safe_load(open(sys.argv[2]))))
for error in errors:
    # anyOf failures (build/deploy types): the branch that got furthest says what is wrong.
    best = jsonschema.exceptions.best_match([error])
    print(f"{sys.argv[2]}: /{'/'.join(map(str, best.absolute_path))}: {best.message[:300]}")
sys.exit(1 if errors else 0)
`;

async function mustRun(command: string, args: string[]): Promise<void> {
  const code = await runInherit(command, args, { cwd: repoRoot });
  if (code !== 0) throw new Error(`${command.split('/').at(-1)} ${args[0] ?? ''} failed (exit code ${code})`);
}

/** Shell scripts the checks parse with `bash -n`. */
export function shellScripts(): string[] {
  const found: string[] = [];
  for (const dir of ['k8s', join('.github', 'scripts'), '.ci']) {
    const full = join(repoRoot, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) {
      const file = join(full, name);
      if (!statSync(file).isFile()) continue;
      if (name.endsWith('.sh') || readFileSync(file, 'utf8').startsWith('#!/usr/bin/env bash'))
        found.push(file);
    }
  }
  return found.sort();
}

export async function checkDelivery(): Promise<void> {
  const [delivery, tools] = await Promise.all([ensureDeliveryTools(), ensureChartTools()]);

  info('delivery', 'actionlint .github/workflows');
  await mustRun(delivery.actionlint, []);
  info('delivery', 'hadolint Dockerfile');
  await mustRun(delivery.hadolint, ['--no-color', 'Dockerfile']);

  const [skaffold] = await resolvePinned('delivery', [SKAFFOLD_SCHEMA]);
  const skaffoldSchema = skaffold?.files[0]?.path as string;
  info('delivery', `skaffold.yaml against the ${SKAFFOLD_API_VERSION} schema`);
  const skaffoldFile = join(repoRoot, 'skaffold.yaml');
  const apiVersion = (parse(readFileSync(skaffoldFile, 'utf8')) as { apiVersion?: string }).apiVersion;
  if (apiVersion !== SKAFFOLD_API_VERSION) {
    throw new Error(`skaffold.yaml: apiVersion ${apiVersion}, expected ${SKAFFOLD_API_VERSION}`);
  }
  await mustRun(tools.python, ['-c', validateScript, skaffoldSchema, skaffoldFile]);

  const scripts = shellScripts();
  info('delivery', `bash -n: ${scripts.map((file) => file.slice(repoRoot.length + 1)).join(', ')}`);
  for (const file of scripts) await mustRun('bash', ['-n', file]);

  const crds = await resolvePinned('delivery', CRD_REQUIREMENTS);
  const schemas = ensureSchemas(
    tools.python,
    join(chartToolsDir, 'schemas'),
    `kubernetes-validate ${TOOL_VERSIONS.kubernetesValidate}`,
    crds.flatMap((requirement) => requirement.files),
  );
  const work = mkdtempSync(join(tmpdir(), 'bonding-delivery-'));
  try {
    // A throw-away public key, as the chart checks do, so the Kong credential renders.
    const keyFile = join(work, 'kind-key.pub');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const args = [
      '-f',
      join(k8sDir, 'values', 'bonding-kind.yaml'),
      '--set-file',
      `jwt.publicKeys.kind-key=${keyFile}`,
      '--kube-version',
      RENDER_KUBE_VERSION,
    ];
    // helm template applies values.schema.json; the chart step already lints the templates themselves.
    info('delivery', 'charts/bonding with k8s/values/bonding-kind.yaml: helm template, kubeconform');
    const rendered = join(work, 'kind.yaml');
    writeFileSync(
      rendered,
      await runCapture(tools.helm, ['template', 'bonding', chartDir, '-n', 'bonding', ...args]),
    );
    const manifests = readdirSync(join(k8sDir, 'manifests')).map((name) => join(k8sDir, 'manifests', name));
    await mustRun(tools.kubeconform, [
      '-strict',
      '-summary',
      '-kubernetes-version',
      RENDER_KUBE_VERSION,
      '-schema-location',
      schemaLocation(schemas),
      rendered,
      join(k8sDir, 'namespaces.yaml'),
      ...manifests,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
