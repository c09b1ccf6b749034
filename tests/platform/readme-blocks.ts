// The README's runnable examples: its ```sh run blocks, in order. They share shell variables, so they
// run as one script, stopping at the first command that fails. Its ```ts block is the SDK example, the
// file SDK_EXAMPLE_PATH as it is, which a test runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_PATH = join(import.meta.dirname, '..', '..', 'README.md');
export const SDK_EXAMPLE_PATH = join(
  import.meta.dirname,
  '..',
  '..',
  'packages',
  'sdk',
  'examples',
  'apply-for-a-loan.ts',
);

/** The README may not grow past this: it is what a user reads in five minutes. */
export const README_MAX_BYTES = 12 * 1024;

export function runnableBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh run\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
}

/** The README's ```ts blocks (the SDK's). */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
}

export function readmeScript(): string {
  const blocks = runnableBlocks(readFileSync(README_PATH, 'utf8'));
  return [
    'set -euo pipefail',
    ...blocks.map((block, index) => `echo "--- README block ${index + 1}" >&2\n${block}`),
  ].join('\n');
}
