// One line of Markdown for a JSON Schema (OpenAPI 3.1 or zod's toJSONSchema): its type and the limits a
// caller must respect. References are named, not expanded, so a reader follows them to their section.

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
};

/** Numbers beyond this are zod's "safe integer" bound, not a limit anyone chose: left out. */
const UNBOUNDED = 2 ** 53 - 1;

export const refName = (ref: string) => ref.split('/').pop() ?? ref;

export function schemaType(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' | ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(schemaType).join(' | ');
  if (schema.allOf) return schema.allOf.map(schemaType).join(' & ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const base = types
    .map((type) => (type === 'array' ? `${schemaType(schema.items ?? {})}[]` : type))
    .join(' | ');
  return `${base || 'any'}${schema.format ? ` (${schema.format})` : ''}`;
}

export function schemaLimits(schema: JsonSchema): string {
  const limits: string[] = [];
  const range = (low: number | undefined, high: number | undefined, unit: string) => {
    const hi = high !== undefined && high < UNBOUNDED ? high : undefined;
    if (low !== undefined && hi !== undefined) limits.push(`${low}–${hi}${unit}`);
    else if (low !== undefined && low > 0) limits.push(`≥ ${low}${unit}`);
    else if (hi !== undefined) limits.push(`≤ ${hi}${unit}`);
  };
  range(schema.minimum, schema.maximum, '');
  range(schema.minLength, schema.maxLength, ' chars');
  range(schema.minItems, schema.maxItems, ' items');
  // A format (email, uuid) says more than the pattern zod derives from it.
  if (schema.pattern && !schema.format) limits.push(`matches \`${schema.pattern}\``);
  if (schema.example !== undefined) limits.push(`e.g. \`${JSON.stringify(schema.example)}\``);
  return limits.join(', ');
}

/** Markdown table cells must not break the row. */
export const cell = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
