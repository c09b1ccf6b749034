// decK, Kong's declarative-configuration tool: the chart step runs `deck file validate` on the rendered
// kong/kong.yml (scripts/lib/chart-check.ts). Built from the Go module proxy into .tools/deck/bin on first
// use, like oasdiff and helm, and reused while the pinned version stays the same.
//
// Not `go install github.com/kong/deck@<version>`: deck's go.mod has a `replace` directive, which Go
// refuses for `go install pkg@version`. So a throw-away main module in .tools/deck/src requires deck and
// repeats that replace, and `go build` builds deck's main package from it (go.sum is verified against the
// checksum database as usual).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, repoRoot } from './paths.js';
import { info } from './processes.js';
import { runQuiet } from './run-capture.js';

/** Bump to have every checkout rebuild it on its next `npm test` (and check deck's go.mod replaces). */
export const DECK_VERSION = 'v1.34.0';

/** The `replace` lines of deck's own go.mod at DECK_VERSION, which a main module must repeat. */
const DECK_REPLACES = ['github.com/yudai/gojsondiff v1.0.0 => github.com/Kong/gojsondiff v1.3.0'];

const toolsDir = join(repoRoot, '.tools', 'deck');
const srcDir = join(toolsDir, 'src');
const stampFile = join(toolsDir, 'installed.json');
export const deckBin = join(toolsDir, 'bin', 'deck');

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(stampFile, 'utf8')) as { deck?: string }).deck;
  } catch {
    return undefined;
  }
}

/** Builds decK when missing or outdated; returns the path of its binary. */
export async function ensureDeck(): Promise<string> {
  if (installedVersion() === DECK_VERSION && existsSync(deckBin)) return deckBin;
  const started = Date.now();
  rmSync(srcDir, { recursive: true, force: true });
  ensureDir(srcDir, 0o755);
  ensureDir(join(toolsDir, 'bin'), 0o755);
  writeFileSync(
    join(srcDir, 'go.mod'),
    [
      'module bonding.local/deck-build',
      '',
      'go 1.21',
      '',
      ...DECK_REPLACES.map((line) => `replace ${line}`),
      '',
    ].join('\n'),
  );
  // -buildvcs=false: the build directory sits inside this repository's git tree, whose state is not deck's.
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod -buildvcs=false' };
  const module = `github.com/kong/deck@${DECK_VERSION}`;
  try {
    await runQuiet('go', ['get', '-C', srcDir, module], env);
    await runQuiet(
      'go',
      [
        ...['build', '-C', srcDir, '-o', deckBin],
        ...['-ldflags', `-X github.com/kong/deck/cmd.VERSION=${DECK_VERSION}`],
        'github.com/kong/deck',
      ],
      env,
    );
  } catch (error) {
    throw new Error(
      `could not build decK (${module}: ${(error as Error).message}); it needs Go (https://go.dev/dl) and ` +
        'the Go module proxy (GOPROXY, https://proxy.golang.org by default)',
    );
  }
  writeFileSync(stampFile, `${JSON.stringify({ deck: DECK_VERSION }, null, 2)}\n`);
  info(
    'chart tools',
    `built decK ${DECK_VERSION} (go build, into .tools/deck/bin) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return deckBin;
}
