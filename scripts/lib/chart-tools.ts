import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, repoRoot } from './paths.js';
import { info } from './processes.js';
import { runQuiet } from './run-capture.js';

export const chartToolsDir = join(repoRoot, '.tools', 'k8s');

/** Bump a version here to have every checkout reinstall that tool on its next `npm test`. */
export const TOOL_VERSIONS = {
  // The newest helm v3 on the module proxy (v3.21.4 is older; v4 changes the CLI).
  helm: 'v3.22.0',
  kubeconform: 'v0.8.0',
  checkov: '3.3.30',
  // Its wheel bundles JSON schemas of Kubernetes 1.25 to 1.37.
  kubernetesValidate: '1.37.0',
} as const;

export interface ChartTools {
  helm: string;
  kubeconform: string;
  checkov: string;
  /** The virtualenv's Python, for finding the schemas kubernetes-validate ships. */
  python: string;
}

const binDir = join(chartToolsDir, 'bin');
const venvDir = join(chartToolsDir, 'venv');
const stampFile = join(chartToolsDir, 'installed.json');

export const chartToolPaths: ChartTools = {
  helm: join(binDir, 'helm'),
  kubeconform: join(binDir, 'kubeconform'),
  checkov: join(venvDir, 'bin', 'checkov'),
  python: join(venvDir, 'bin', 'python'),
};

type Stamp = Partial<Record<'helm' | 'kubeconform' | 'python', string>>;

function readStamp(): Stamp {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
  } catch {
    return {};
  }
}

async function timed(label: string, work: () => Promise<void>): Promise<void> {
  const started = Date.now();
  await work();
  info('chart tools', `${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function goInstall(pkg: string, ldflags: string[] = []): Promise<void> {
  const args = ['install', ...(ldflags.length ? ['-ldflags', ldflags.join(' ')] : []), pkg];
  return runQuiet('go', args, { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' });
}

// What helm's own release build stamps in: its version, and the Kubernetes version of the client
// libraries it was built with (else `helm template` without --kube-version assumes Kubernetes 1.20).
const helmLdflags = [
  `-X helm.sh/helm/v3/internal/version.version=${TOOL_VERSIONS.helm}`,
  ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
    `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
    `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=37`,
  ]),
];

const pythonWanted = `checkov==${TOOL_VERSIONS.checkov} kubernetes-validate==${TOOL_VERSIONS.kubernetesValidate}`;

/** Installs whatever is missing or outdated; returns the tools' paths. */
export async function ensureChartTools(): Promise<ChartTools> {
  ensureDir(binDir, 0o755);
  const stamp = readStamp();
  const save = (key: keyof Stamp, value: string) => {
    stamp[key] = value;
    writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  };
  const fresh = (key: keyof Stamp, value: string, file: string) => stamp[key] === value && existsSync(file);

  const goTools = async () => {
    if (!fresh('helm', TOOL_VERSIONS.helm, chartToolPaths.helm)) {
      await timed(`installed helm ${TOOL_VERSIONS.helm} (go install)`, () =>
        goInstall(`helm.sh/helm/v3/cmd/helm@${TOOL_VERSIONS.helm}`, helmLdflags),
      );
      save('helm', TOOL_VERSIONS.helm);
    }
    if (!fresh('kubeconform', TOOL_VERSIONS.kubeconform, chartToolPaths.kubeconform)) {
      await timed(`installed kubeconform ${TOOL_VERSIONS.kubeconform} (go install)`, () =>
        goInstall(`github.com/yannh/kubeconform/cmd/kubeconform@${TOOL_VERSIONS.kubeconform}`),
      );
      save('kubeconform', TOOL_VERSIONS.kubeconform);
    }
  };
  const pythonTools = async () => {
    if (fresh('python', pythonWanted, chartToolPaths.checkov)) return;
    await timed(`installed ${pythonWanted} (pip, into .tools/k8s/venv)`, async () => {
      rmSync(venvDir, { recursive: true, force: true });
      await runQuiet('python3', ['-m', 'venv', venvDir]);
      await runQuiet(chartToolPaths.python, [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        ...pythonWanted.split(' '),
      ]);
    });
    save('python', pythonWanted);
  };
  // Compiling (CPU) and downloading wheels (network) overlap well on two cores.
  await Promise.all([goTools(), pythonTools()]);
  return chartToolPaths;
}
