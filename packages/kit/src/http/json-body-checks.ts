import type { FieldError } from '../errors.js';

/**
 * Checks on a JSON body's text that JSON.parse does not make: it quietly replaces bytes that are not
 * UTF-8, keeps the last of two equal keys (so a proxy or a log that reads the first sees another
 * request than the service acts on), and accepts any nesting depth (which recursive code after it,
 * such as the exact-integer check, would pay for with a stack overflow). No request of this API
 * nests deeper than a few levels.
 */
export const MAX_JSON_DEPTH = 32;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when its bytes are not valid UTF-8. */
export function decodeUtf8(bytes: ArrayBuffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

interface Container {
  path: string;
  keys?: Set<string>;
  /** Objects: the key whose value comes next, once its `:` is read. */
  key?: string;
  expectingKey?: boolean;
  /** Arrays: the index of the element being read. */
  index?: number;
}

const childPath = (parent: Container | undefined) => {
  if (!parent) return 'body';
  return parent.keys ? `${parent.path}.${parent.key}` : `${parent.path}.${parent.index}`;
};

/**
 * Keys repeated within one object, and nesting deeper than `maxDepth`, in a text that JSON.parse
 * accepts (anything else yields nothing: the body validator reports malformed JSON). One pass, no
 * recursion, so no input can exhaust the stack.
 */
export function jsonStructureProblems(text: string, maxDepth = MAX_JSON_DEPTH): FieldError[] {
  try {
    JSON.parse(text);
  } catch {
    return [];
  }
  const problems: FieldError[] = [];
  const stack: Container[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack.at(-1);
    if (char === '{' || char === '[') {
      const path = childPath(top);
      if (stack.length >= maxDepth) {
        return [{ field: path, message: `nests deeper than ${maxDepth} levels`, code: 'too_deep' }];
      }
      stack.push(char === '{' ? { path, keys: new Set(), expectingKey: true } : { path, index: 0 });
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',' && top) {
      if (top.keys) top.expectingKey = true;
      else top.index = (top.index ?? 0) + 1;
    } else if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys && top.expectingKey) {
        // Decoded, so that "a" and "\u0061" count as the same key.
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          problems.push({
            field: `${top.path}.${key}`,
            message: 'appears more than once',
            code: 'duplicate_key',
          });
        }
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = end;
    }
  }
  return problems;
}
