import { z } from '@hono/zod-openapi';
import { BadRequest } from '../errors.js';
import { UUID_SHAPE } from '../ids.js';

/**
 * The shapes a cursor's parts take. A cursor is the sort key of the last row shown, its parts joined by
 * '.': opaque to clients (they pass nextCursor back as they got it), yet of one exact shape per list, so
 * that the document states it and every string of that shape is a position in the list (the page after
 * it, perhaps empty). A base64 blob could be described only as "a string", and most strings are not one.
 */
const CURSOR_PARTS = {
  /** A row id (UUIDv7, lower case). */
  id: UUID_SHAPE,
  /** A time in Unix milliseconds (13 digits reach the year 2286). */
  millis: '[0-9]{1,13}',
  /** A positive sequence number within JavaScript's safe integers. */
  sequence: '[1-9][0-9]{0,14}',
  /** A positive BIGINT row number. */
  serial: '[1-9][0-9]{0,18}',
} as const;
export type CursorPart = keyof typeof CURSOR_PARTS;

/** The query of a paginated list whose rows are keyed by these parts. */
export function pageQuery(...parts: [CursorPart, ...CursorPart[]]) {
  const shape = parts.map((part) => CURSOR_PARTS[part]).join('\\.');
  return z.object({
    limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size (1–100).' }),
    cursor: z
      .string()
      .regex(new RegExp(`^${shape}$`), 'not a cursor this list issues')
      .optional()
      .openapi({ description: 'Opaque: the nextCursor of the previous page, passed back as it came.' }),
  });
}

/** A list keyed by row id. */
export const pageQuerySchema = pageQuery('id');

/** A cursor from the sort key of the last row on a page. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return key.map(String).join('.');
}

/**
 * The parts of a cursor the route's query schema already accepted. The arity check stays for a caller
 * that decodes with another list's schema: that is a bug, but it must not reach the database.
 */
export function decodeCursor(cursor: string, arity: number): string[] {
  const parts = cursor.split('.');
  if (parts.length === arity && parts.every((part) => part !== '')) return parts;
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
  cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];

/** pageOf for the common case: rows keyed by their id. */
export const pageById = <Row extends { id: string }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
) => pageOf(rows, limit, (row) => [row.id], toItem);
