#!/usr/bin/env node
// Entry point of `npm start` / `npm test` on a fresh machine with only Node (any version >= 18) and npm.
// Plain JavaScript with node: builtins only, so it runs before any dependency is installed.
//
//   1. Node 24: the running node if it is >= 24.11.1, else a local copy in .tools/node24 (from the npm registry).
//   2. pnpm 12: a local copy in .tools/pnpm (native binary from the npm registry).
//   3. pnpm install --frozen-lockfile, skipped when node_modules is newer than the lockfile and manifests.
//   4. Runs the command's script (scripts/<command>.ts, bench/run.ts) under Node 24 with tsx, forwarding
//      signals and the exit code.
//
// Every step is idempotent and costs a few stat() calls when already done.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_MAJOR = 24;
const PNPM_MAJOR = 12;
// Each command's script, run under Node 24 with tsx.
const COMMANDS = new Map([
  ['start', 'scripts/start.ts'],
  ['test', 'scripts/test.ts'],
  ['bench', 'bench/run.ts'],
]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const toolsBin = join(tools, 'bin');

const log = (msg) => console.error(`[bootstrap] ${msg}`);
const fail = (msg) => {
  console.error(`[bootstrap] error: ${msg}`);
  process.exit(1);
};

const [command, ...passThrough] = process.argv.slice(2);
if (!command || !COMMANDS.has(command)) {
  fail(`usage: node scripts/bootstrap.mjs <${[...COMMANDS.keys()].join('|')}> [args...]`);
}

/** Runs a command to completion with inherited stdio; exits on failure. */
function run(cmd, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${cmd} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    fail(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return Date.now() - started;
}

/** `npm install` into a private prefix: no package.json changes, no global state. */
function npmInstall(prefix, spec) {
  mkdirSync(prefix, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const ms = run(npm, [
    'install',
    '--prefix',
    prefix,
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--ignore-scripts=false',
    '--loglevel=error',
    spec,
  ]);
  log(`installed ${spec} into ${relative(root, prefix)} (${(ms / 1000).toFixed(1)} s)`);
}

/** Points `link` at `target` (relative when inside the repo), replacing a stale link. */
function ensureSymlink(target, link) {
  const wanted = target.startsWith(`${tools}/`) ? relative(dirname(link), target) : target;
  try {
    if (readlinkSync(link) === wanted) return;
    unlinkSync(link);
  } catch (err) {
    if (err.code !== 'ENOENT') {
      if (err.code === 'EINVAL')
        unlinkSync(link); // a regular file, not a link
      else throw err;
    }
  }
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(wanted, link);
}

// 1. Node 24 ------------------------------------------------------------------------------------------
// The oldest Node 24 whose module.registerHooks runs the tracing loader's in-thread hooks
// (packages/kit/src/tracing/register.ts).
const MIN_NODE = [24, 11, 1];

function isRecentEnough(version) {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MIN_NODE.length; i++) {
    if (parts[i] !== MIN_NODE[i]) return parts[i] > MIN_NODE[i];
  }
  return true;
}

function ensureNode() {
  let nodeBin;
  if (isRecentEnough(process.versions.node)) {
    nodeBin = process.execPath;
  } else {
    const pkg = `node-${process.platform}-${process.arch}`;
    const prefix = join(tools, `node${NODE_MAJOR}`);
    nodeBin = join(prefix, 'node_modules', pkg, 'bin', 'node');
    if (!existsSync(nodeBin)) {
      log(`Node ${process.versions.node} is too old; installing Node ${NODE_MAJOR} (${pkg}) locally`);
      npmInstall(prefix, `${pkg}@${NODE_MAJOR}`);
      if (!existsSync(nodeBin)) fail(`${pkg} did not provide ${nodeBin}`);
    }
  }
  ensureSymlink(nodeBin, join(toolsBin, 'node'));
  return nodeBin;
}

// 2. pnpm 12 ------------------------------------------------------------------------------------------
function ensurePnpm() {
  const prefix = join(tools, 'pnpm');
  const binDir = join(prefix, 'node_modules', '.bin');
  const pnpm = join(binDir, 'pnpm');
  const pkgJson = join(prefix, 'node_modules', 'pnpm', 'package.json');
  const installedMajor = () => {
    try {
      return Number(JSON.parse(readFileSync(pkgJson, 'utf8')).version.split('.')[0]);
    } catch {
      return 0;
    }
  };
  if (!existsSync(pnpm) || installedMajor() !== PNPM_MAJOR) {
    log(`installing pnpm ${PNPM_MAJOR} locally`);
    npmInstall(prefix, `pnpm@${PNPM_MAJOR}`);
    if (!existsSync(pnpm)) fail(`pnpm@${PNPM_MAJOR} did not provide ${pnpm}`);
  }
  return { pnpm, binDir };
}

// 3. Dependencies -------------------------------------------------------------------------------------
const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

/** Workspace package.json files, from the simple `- dir/*` or `- dir` globs of pnpm-workspace.yaml. */
function workspaceManifests() {
  const manifests = [join(root, 'package.json')];
  let yaml = '';
  try {
    yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return manifests;
  }
  let inPackages = false;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) inPackages = /^packages\s*:/.test(line);
    const m = inPackages && line.match(/^\s+-\s+['"]?([^'"#\s]+)['"]?/);
    if (!m) continue;
    const pattern = m[1].replace(/\/+$/, '');
    if (pattern.startsWith('!')) continue;
    if (pattern.endsWith('/*') || pattern.endsWith('/**')) {
      const base = join(root, pattern.replace(/\/\*+$/, ''));
      let entries = [];
      try {
        entries = readdirSync(base, { withFileTypes: true });
      } catch {}
      for (const e of entries) if (e.isDirectory()) manifests.push(join(base, e.name, 'package.json'));
    } else {
      manifests.push(join(root, pattern, 'package.json'));
    }
  }
  return manifests;
}

function ensureDependencies(pnpm, env) {
  const lockfile = join(root, 'pnpm-lock.yaml');
  const stamp = join(root, 'node_modules', '.bootstrap-installed');
  const installedAt = Math.max(mtime(join(root, 'node_modules', '.modules.yaml')), mtime(stamp));
  const inputs = [lockfile, join(root, 'pnpm-workspace.yaml'), ...workspaceManifests()];
  const newest = Math.max(...inputs.map(mtime));
  if (installedAt > 0 && installedAt >= newest) return;
  const args = ['install', existsSync(lockfile) ? '--frozen-lockfile' : '--no-frozen-lockfile'];
  log(`pnpm ${args.join(' ')}`);
  const ms = run(pnpm, args, { env });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  log(`dependencies installed (${(ms / 1000).toFixed(1)} s)`);
}

// 4. Hand over ----------------------------------------------------------------------------------------
function exec(nodeBin, env) {
  const script = COMMANDS.get(command);
  const child = spawn(nodeBin, ['--import', 'tsx', script, ...passThrough], {
    stdio: 'inherit',
    cwd: root,
    env,
  });
  // A terminal's Ctrl-C reaches the whole process group; the child decides how to stop. Forward what
  // we receive (e.g. a SIGTERM sent to this process only) and wait for the child's own exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (err) => fail(`cannot run ${nodeBin}: ${err.message}`));
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (osConstants.signals[signal] ?? 1));
  });
}

const nodeBin = ensureNode();
const { binDir: pnpmBinDir, pnpm } = ensurePnpm();
const env = {
  ...process.env,
  PATH: [toolsBin, pnpmBinDir, process.env.PATH ?? ''].join(delimiter),
};
ensureDependencies(pnpm, env);
exec(nodeBin, env);
