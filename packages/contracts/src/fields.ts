import { z } from 'zod';

/** Field schemas the event contracts share, so the same thing is spelled the same way everywhere. */

export const Id = z.uuid();

export const Timestamp = z.iso.datetime({ offset: true });

export const Role = z.enum(['admin', 'agent', 'student']);

export const UserStatus = z.enum(['active', 'pending', 'rejected', 'disabled']);

/**
 * An amount of money: an integer count of minor units (e.g. tambala) as a
 * decimal string, so a BIGINT survives JSON without rounding, and its ISO 4217 code.
 */
export const Money = z.strictObject({
  amountMinor: z.string().regex(/^(0|[1-9]\d{0,18})$/, { error: 'must be a non-negative integer string' }),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' }),
});

/** A stable, machine-readable reason code (`wallet_frozen`), never free text with personal data. */
export const ReasonCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
