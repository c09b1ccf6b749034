import { EMAIL_FORMAT, ROLES } from '@bonding/kit';
import { z } from '@hono/zod-openapi';
import type { UserRow } from '../db/schema.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../domain/passwords.js';

export const USER_STATUSES = ['active', 'pending', 'rejected', 'disabled'] as const;

/** Surrounding spaces are forgiven and the address is kept in lower case. */
export const EmailSchema = z
  .string()
  .max(254)
  .trim()
  .toLowerCase()
  .pipe(z.string().regex(EMAIL_FORMAT, { error: 'must be a valid e-mail address' }))
  .openapi({ pattern: EMAIL_FORMAT.source, example: 'thoko.banda@example.mw' });

export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` })
  .openapi({ example: 'correct horse battery' });

export const NameSchema = z.string().trim().min(1).max(100);

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string().regex(EMAIL_FORMAT),
    firstName: z.string(),
    lastName: z.string(),
    role: z.enum(ROLES),
    status: z.enum(USER_STATUSES),
    regNumber: z.string().nullable(),
    emailVerified: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('User');

export type User = z.infer<typeof UserSchema>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role,
    status: row.status,
    regNumber: row.reg_number,
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Access-token lifetime in seconds.' }),
  })
  .openapi('TokenPair');

export const UserIdParamSchema = z.object({
  id: z.uuid({ error: 'must be a user id (UUID)' }).openapi({ param: { name: 'id', in: 'path' } }),
});
