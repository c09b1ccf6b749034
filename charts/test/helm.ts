// Finding helm and rendering the chart for the chart tests.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './kic.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const chartDir = join(repoRoot, 'charts', 'bonding');
export const RELEASE = 'bonding';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * $HELM (npm test sets it to the helm it just checked the chart with: then nothing else is accepted),
 * else the copy npm test installs, else helm on PATH.
 */
export function findHelm(): string | undefined {
  if (process.env.HELM) {
    if (!executable(process.env.HELM)) throw new Error(`HELM=${process.env.HELM} is not an executable`);
    return process.env.HELM;
  }
  const candidates = [
    join(repoRoot, '.tools', 'k8s', 'bin', 'helm'),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'helm')),
  ];
  return candidates.find((file): file is string => Boolean(file) && executable(file as string));
}

/** `helm template` of the chart with a values file from charts/bonding/ci (or the defaults). */
export function renderChart(helm: string, valuesFile?: string): K8sObject[] {
  return renderChartWith(helm, { valuesFiles: valuesFile ? [valuesFile] : [] });
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Files under charts/bonding/ci. */
  valuesFiles?: string[];
  /** More helm arguments (--set, --set-file). */
  args?: string[];
}

/** `helm template` with a release name, namespace and extra arguments of the caller's choosing. */
export function renderChartWith(helm: string, options: RenderOptions): K8sObject[] {
  const release = options.release ?? RELEASE;
  const args = ['template', release, chartDir, '--namespace', options.namespace ?? release];
  args.push('--kube-version', '1.37.0');
  for (const file of options.valuesFiles ?? []) args.push('-f', join(chartDir, 'ci', file));
  args.push(...(options.args ?? []));
  const manifest = execFileSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}
