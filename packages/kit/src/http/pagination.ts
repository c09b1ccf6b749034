import { z } from '@hono/zod-openapi';
import { BadRequest } from '../errors.js';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size (1–100).' }),
  cursor: z.string().max(512).optional().openapi({ description: 'The nextCursor of the previous page.' }),
});

/** Opaque keyset cursor: the sort key of the last row on the page. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the 400 below
  }
  throw new BadRequest('invalid_cursor', 'The cursor is not one this API issued.', {
    errors: [{ field: 'query.cursor', message: 'invalid cursor', code: 'invalid_cursor' }],
  });
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only proves there is
 * a next page, and the cursor points after the last row shown.
 */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => (string | number)[],
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/** The id a page keyed by id (uuidv7, so newest-first or oldest-first is id order) continues after. */
export const afterIdOf = (cursor: string | undefined): string | undefined =>
  cursor === undefined ? undefined : String(decodeCursor(cursor, 1)[0]);

/** pageOf for the common case: rows keyed by their id. */
export const pageById = <Row extends { id: string }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
) => pageOf(rows, limit, (row) => [row.id], toItem);
