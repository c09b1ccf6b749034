// Small, predictable YAML writing for the generated files: the same input always gives the same bytes,
// and the output reads like a hand-kept file (flow lists, comments) rather than a serializer's dump.

/** A scalar as YAML: plain when that is unambiguous, else double-quoted (JSON strings are valid YAML). */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return /^[A-Za-z0-9_/.@-][A-Za-z0-9_/.@*-]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

export const yamlFlowList = (items: readonly (string | number)[]) => `[${items.map(yamlScalar).join(', ')}]`;

export const yamlFlowMap = (entries: Record<string, string | number | boolean>) =>
  `{ ${Object.entries(entries)
    .map(([key, value]) => `${key}: ${yamlScalar(value)}`)
    .join(', ')} }`;

/** A multi-line text as `#` comment lines at an indent. */
export const yamlComment = (text: string | undefined, indent: string) =>
  text
    ? `${text
        .split('\n')
        .map((line) => `${indent}# ${line}`.trimEnd())
        .join('\n')}\n`
    : '';

export const GENERATED_NOTE = 'GENERATED from platform/shape.ts by `npm run generate`: do not edit by hand.';
