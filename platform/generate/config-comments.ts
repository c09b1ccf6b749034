// The comment written above each setting in a configuration schema's source (`/** … */` or `//` lines
// right before `NAME: z…`): the settings' descriptions live next to their definitions, not in a table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SETTING = /^\s*([A-Z][A-Z0-9_]*):\s/;
const COMMENT = /^\s*(\/\*\*|\*\/|\*|\/\/)/;

export function settingComments(repoRoot: string, files: readonly string[]): Map<string, string> {
  const comments = new Map<string, string>();
  for (const file of files) {
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const name = SETTING.exec(line)?.[1];
      if (!name || comments.has(name)) return;
      const block: string[] = [];
      for (let above = index - 1; above >= 0 && COMMENT.test(lines[above] as string); above--)
        block.unshift(lines[above] as string);
      const text = block
        .map((comment) => comment.replace(/^\s*(\/\*\*|\*\/|\*|\/\/)\s?/, '').replace(/\*\/\s*$/, ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (text) comments.set(name, text);
    });
  }
  return comments;
}
