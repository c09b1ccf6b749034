// The repository's Dockerfile read as instructions, for the tests that hold the image to its conventions
// (scripts/test/delivery.test.ts) and the one that runs what it runs (tests/platform/image-layout.test.ts),
// so neither keeps a copy of the image's command, working directory or environment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile variable reference, `${NAME}`. */
export const ref = (name: string) => `\${${name}}`;

/** The Dockerfile as instructions (continuation lines joined, comments dropped). */
export function dockerfileInstructions(
  text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'),
): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (!current && (line.trim().startsWith('#') || !line.trim())) continue;
    if (current && line.trim().startsWith('#')) continue;
    current += `${line.replace(/\\$/, '').trimEnd()} `;
    if (!line.trimEnd().endsWith('\\')) {
      const [keyword, ...rest] = current.trim().split(/\s+/);
      out.push({ keyword: (keyword ?? '').toUpperCase(), args: rest.join(' ') });
      current = '';
    }
  }
  return out;
}

/** The instructions of each stage, from its FROM on. */
export function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

/** What the final stage runs: its CMD (exec form), WORKDIR, ENV and ARG defaults, references unexpanded. */
export interface ImageRuntime {
  cmd: string[];
  workdir: string;
  env: Record<string, string>;
  args: Record<string, string>;
}

const pairs = (instructions: Instruction[], keyword: string) =>
  Object.fromEntries(
    instructions
      .filter((i) => i.keyword === keyword)
      .flatMap((i) => i.args.split(/\s+/))
      .map((pair) => [pair.split('=')[0] ?? '', pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : '']),
  ) as Record<string, string>;

export function imageRuntime(instructions = dockerfileInstructions()): ImageRuntime {
  const runtime = stages(instructions).at(-1) ?? [];
  return {
    cmd: JSON.parse(runtime.findLast((i) => i.keyword === 'CMD')?.args ?? '[]') as string[],
    workdir: runtime.findLast((i) => i.keyword === 'WORKDIR')?.args ?? '',
    env: pairs(runtime, 'ENV'),
    args: pairs(runtime, 'ARG'),
  };
}

/** Replaces each `${NAME}` with its value; a reference without one is an error. */
export function expandRefs(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for \${${name}} in ${text}`);
    return value;
  });
}

/** The default of a global ARG (one before the first FROM), e.g. NODE_IMAGE. */
export function globalArg(name: string, instructions = dockerfileInstructions()): string {
  const globals = instructions.slice(
    0,
    instructions.findIndex((i) => i.keyword === 'FROM'),
  );
  const value = pairs(globals, 'ARG')[name];
  if (!value) throw new Error(`the Dockerfile has no global ARG ${name} with a default`);
  return value;
}
