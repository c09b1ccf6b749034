// Which generated files under a root differ from what would be generated now, and how to bring them up
// to date: what `npm run generate` writes and `--check` (npm run lint) refuses.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from './generated-files.js';

export const REGENERATE_COMMAND = 'npm run generate (node --import tsx scripts/generate.ts)';

/** Each generated file's path with its wanted content, and whether the file under `root` has it. */
async function compare(root: string) {
  return Promise.all(
    generatedFiles.map(async (file) => {
      const target = join(root, file.path);
      const wanted = await file.render();
      const fresh = existsSync(target) && readFileSync(target, 'utf8') === wanted;
      return { path: file.path, target, wanted, fresh };
    }),
  );
}

export async function staleFiles(root: string): Promise<string[]> {
  return (await compare(root)).filter((file) => !file.fresh).map((file) => file.path);
}

/** Writes the stale ones; returns their paths. */
export async function writeGenerated(root: string): Promise<string[]> {
  const stale = (await compare(root)).filter((file) => !file.fresh);
  for (const file of stale) writeFileSync(file.target, file.wanted);
  return stale.map((file) => file.path);
}

export const staleMessage = (paths: readonly string[]) =>
  [
    ...paths.map((path) => `generate: ${path} is stale (edited by hand, or its sources changed)`),
    `generate: run \`${REGENERATE_COMMAND}\` and commit the result`,
  ].join('\n');
