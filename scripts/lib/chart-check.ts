// The offline checks of charts/bonding that `npm test` runs before vitest (which then runs the kong.yml
// parity test with the same helm):
//   1. helm lint --strict, with the default values and each charts/bonding/ci/*.yaml;
//   2. helm template of each, validated object by object by kubeconform against the Kubernetes schemas of
//      the oldest and newest supported version and the Kong / Prometheus-operator CRDs (no schema = error);
//      the CRDs are pinned by SHA-256 in upstream-files.ts (read from an offline copy, .cache/upstream or fetched);
//   3. checkov over every render; each remaining finding is justified in charts/checkov.yaml;
//   4. `deck file validate` on kong/kong.yml as kong/render.ts renders it (with a throw-away key), so the
//      file Kong and the local gateway load is one decK accepts too (decK built by deck-tool.ts).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderKongConfig } from '../../services/gateway/src/declarative/render.js';
import { ensureSchemas, KUBERNETES_VERSIONS, schemaLocation } from './chart-schemas.js';
import { chartToolsDir, ensureChartTools, TOOL_VERSIONS } from './chart-tools.js';
import { DECK_VERSION, ensureDeck } from './deck-tool.js';
import { repoRoot } from './paths.js';
import { info, runInherit } from './processes.js';
import { runCapture } from './run-capture.js';
import { CRD_REQUIREMENTS } from './upstream-files.js';
import { resolvePinned } from './upstream-sources.js';

export const chartDir = join(repoRoot, 'charts', 'bonding');
const checkovConfig = join(repoRoot, 'charts', 'checkov.yaml');
/** The Kubernetes version renders assume; kubeconform then checks them against every supported one. */
export const RENDER_KUBE_VERSION = KUBERNETES_VERSIONS.at(-1) as string;

/** The value sets every check runs with: the defaults, then each production-like/CI file. */
export function valueSets(): { name: string; args: string[] }[] {
  const ciFiles = readdirSync(join(chartDir, 'ci'))
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  return [
    { name: 'default', args: [] },
    ...ciFiles.map((name) => ({
      name: name.replace(/\.yaml$/, ''),
      args: ['-f', join(chartDir, 'ci', name)],
    })),
  ];
}

/**
 * A throw-away RSA public key per run, so renders include the Kong jwt credential Secret without any key
 * being committed.
 */
function publicKeyArgs(dir: string, pem: string): string[] {
  const file = join(dir, 'ci-key.pub');
  writeFileSync(file, pem);
  return ['--set-file', `jwt.publicKeys.ci-key=${file}`, '--set', 'jwt.activeKid=ci-key'];
}

/** kong/kong.yml rendered as `npm start` and Kong load it, written into `dir`; returns the file. */
function renderedKongConfig(dir: string, pem: string): string {
  const file = join(dir, 'kong.yml');
  const template = readFileSync(join(repoRoot, 'kong', 'kong.yml'), 'utf8');
  writeFileSync(file, renderKongConfig(template, { keys: [{ kid: 'ci-key', pem }] }));
  return file;
}

async function mustRun(command: string, args: string[]): Promise<void> {
  const code = await runInherit(command, args, { cwd: repoRoot });
  if (code !== 0) throw new Error(`${command.split('/').at(-1)} ${args[0]} failed (exit code ${code})`);
}

export async function checkChart(): Promise<void> {
  // decK compiles while the chart tools install (both only on first use).
  const [tools, deck] = await Promise.all([ensureChartTools(), ensureDeck()]);
  const crds = await resolvePinned('chart', CRD_REQUIREMENTS);
  const schemas = ensureSchemas(
    tools.python,
    join(chartToolsDir, 'schemas'),
    `kubernetes-validate ${TOOL_VERSIONS.kubernetesValidate}`,
    crds.flatMap((requirement) => requirement.files),
  );
  const work = mkdtempSync(join(tmpdir(), 'bonding-chart-'));
  try {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keyArgs = publicKeyArgs(work, pem);
    const rendered: string[] = [];
    for (const set of valueSets()) {
      const args = [...set.args, ...keyArgs, '--kube-version', RENDER_KUBE_VERSION];
      info('chart', `values: ${set.name}`);
      await mustRun(tools.helm, ['lint', '--strict', chartDir, ...args]);
      const manifest = await runCapture(tools.helm, [
        'template',
        'bonding',
        chartDir,
        '-n',
        'bonding',
        ...args,
      ]);
      const file = join(work, `${set.name}.yaml`);
      writeFileSync(file, manifest);
      rendered.push(file);
    }
    for (const version of KUBERNETES_VERSIONS) {
      info('chart', `kubeconform: Kubernetes ${version} schemas and the Kong / monitoring CRDs`);
      await mustRun(tools.kubeconform, [
        '-strict',
        '-summary',
        '-kubernetes-version',
        version,
        '-schema-location',
        schemaLocation(schemas),
        ...rendered,
      ]);
    }
    info('chart', `checkov (${checkovConfig.slice(repoRoot.length + 1)})`);
    await mustRun(tools.checkov, [
      '--config-file',
      checkovConfig,
      ...rendered.flatMap((file) => ['--file', file]),
    ]);
    info('chart', `deck file validate kong/kong.yml (rendered; decK ${DECK_VERSION})`);
    await mustRun(deck, ['file', 'validate', '--analytics=false', renderedKongConfig(work, pem)]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
