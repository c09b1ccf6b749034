// The Dockerfile's base image where no container registry answers (as on the project's CI): a stand-in
// built from OS and npm packages and tagged with the Dockerfile's exact NODE_IMAGE reference, so that
// everything after FROM runs as written. The stand-in is Debian of the reference's release
// (`debootstrap --variant=minbase`), the same Node release from the npm registry's node-<platform>-<arch>
// package in /usr/local/bin as the official image has it, npm beside it (the build stage installs pnpm
// with it), and this machine's CA bundle, which Node also trusts through NODE_EXTRA_CA_CERTS: package
// downloads inside the build need the same trust as the host's. It is bigger than the official slim
// image (no stripping of the Debian base beyond apt's caches and the docs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './os-packages.js';
import { info, which } from './processes.js';

/** The label that marks a stand-in, with the Node version as its value. */
export const STANDIN_LABEL = 'org.bonding-platform.base-image-standin';
/** npm's major in the stand-in: Node 24's own. */
const NPM_SPEC = 'npm@11';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const DEBIAN_MIRROR = process.env.BONDING_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

export interface BaseImageSource {
  /** How the reference came to be there: pulled, present, or a stand-in (built now or earlier). */
  how: 'pulled' | 'present' | 'stand-in built' | 'stand-in (built earlier)';
  seconds: number;
}

/** Node release and Debian suite of an official reference such as docker.io/library/node:24.21.0-bookworm-slim. */
export function parseNodeImage(reference: string): { node: string; suite: string } {
  const match = reference.match(/:(\d+\.\d+\.\d+)-([a-z]+)(?:-slim)?$/);
  if (!match?.[1] || !match[2]) {
    throw new Error(
      `cannot build a stand-in for ${reference}: expected node:<x.y.z>-<debian release>[-slim]`,
    );
  }
  return { node: match[1], suite: match[2] };
}

function must(command: string, args: string[], options: { cwd?: string; input?: Buffer } = {}): Buffer {
  const result = spawnSync(command, args, { ...options, maxBuffer: 1 << 30 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  }
  return result.stdout;
}

function standinLabel(docker: string, reference: string): string | undefined {
  const result = spawnSync(docker, ['image', 'inspect', '--format', '{{ json .Config.Labels }}', reference], {
    encoding: 'utf8',
  });
  if (result.status !== 0) return undefined;
  const labels = JSON.parse(result.stdout) as Record<string, string> | null;
  return labels?.[STANDIN_LABEL] ?? '';
}

/** Debian of `suite` with Node `node` and npm, in `root`. */
function assembleRootfs(root: string, node: string, suite: string, work: string): void {
  if (!which('debootstrap', ['/usr/sbin'])) {
    info('images', 'apt-get install debootstrap');
    if (!aptInstall(['debootstrap'], () => Boolean(which('debootstrap', ['/usr/sbin'])))) {
      throw new Error('apt-get install debootstrap failed; see the output above');
    }
  }
  info('images', `debootstrap --variant=minbase ${suite} (${DEBIAN_MIRROR})`);
  must(which('debootstrap', ['/usr/sbin']) as string, ['--variant=minbase', suite, root, DEBIAN_MIRROR]);

  const nodePackage = `node-${process.platform}-${process.arch}@${node}`;
  info('images', `npm pack ${nodePackage} ${NPM_SPEC}`);
  const packed = must('npm', ['pack', '--silent', nodePackage, NPM_SPEC], { cwd: work })
    .toString()
    .trim()
    .split('\n');
  const [nodeTarball, npmTarball] = packed.map((name) => join(work, name.trim()));
  if (!nodeTarball || !npmTarball) throw new Error(`npm pack gave ${packed.join(', ')}`);
  must('tar', ['-xzf', nodeTarball, '-C', work, 'package/bin/node']);
  must('install', ['-m', '0755', join(work, 'package', 'bin', 'node'), join(root, 'usr/local/bin/node')]);
  const npmDir = join(root, 'usr/local/lib/node_modules/npm');
  mkdirSync(npmDir, { recursive: true });
  must('tar', ['-xzf', npmTarball, '-C', npmDir, '--strip-components=1']);
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));

  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  copyFileSync(CA_BUNDLE, join(root, CA_BUNDLE));
  for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man']) {
    rmSync(join(root, dir), { recursive: true, force: true });
    mkdirSync(join(root, dir), { recursive: true });
  }
}

function buildStandin(docker: string, reference: string): void {
  const { node, suite } = parseNodeImage(reference);
  if (!existsSync(CA_BUNDLE)) throw new Error(`no CA bundle at ${CA_BUNDLE} to give the stand-in`);
  const work = mkdtempSync(join(tmpdir(), 'bonding-base-'));
  try {
    const root = join(work, 'rootfs');
    assembleRootfs(root, node, suite, work);
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `ENV NODE_VERSION=${node}`,
      `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
      `LABEL ${STANDIN_LABEL}=${node}`,
      'CMD ["node"]',
    ].flatMap((change) => ['--change', change]);
    info('images', `docker import → ${reference}`);
    // Streamed: the tree is a few hundred MB.
    const script = 'root=$1 docker=$2; shift 2; tar -C "$root" -c . | "$docker" import "$@"';
    must('bash', ['-o', 'pipefail', '-c', script, 'import', root, docker, ...changes, '-', reference]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes `reference` available to builds: present already, pulled from its registry, or a stand-in built
 * here when the pull fails. Says which, so a test can report that it did not use the official image.
 */
export function ensureBaseImage(docker: string, reference: string): BaseImageSource {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const label = standinLabel(docker, reference);
  if (label !== undefined) {
    return { how: label ? 'stand-in (built earlier)' : 'present', seconds: seconds() };
  }
  const pull = spawnSync(docker, ['pull', '--quiet', reference], { encoding: 'utf8', timeout: 120_000 });
  if (pull.status === 0) return { how: 'pulled', seconds: seconds() };
  const reason = (pull.stderr || pull.error?.message || '').trim().split('\n').at(-1);
  info('images', `cannot pull ${reference} (${reason}): building a stand-in from Debian and npm packages`);
  buildStandin(docker, reference);
  return { how: 'stand-in built', seconds: seconds() };
}
