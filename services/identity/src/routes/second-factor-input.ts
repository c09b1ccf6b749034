import { oneOfFields } from '@bonding/kit';
import { z } from '@hono/zod-openapi';
import type { SecondFactorProof } from '../db/second-factor.js';

/** A code as the authenticator app shows it. */
export const TotpCodeSchema = z
  .string()
  .regex(/^[0-9]{6}$/, { error: 'must be the 6 digits the authenticator shows' });

/** A recovery code as the user types it (spacing and case are forgiven when it is checked). */
export const RecoveryCodeSchema = z.string().min(1).max(64);

type SecondFactorFields = { code?: string | undefined; recoveryCode?: string | undefined };

/**
 * A body that carries `code` or `recoveryCode`: never both, and (when `required`) one of them. Both
 * answer 400 on the `code` field; the document states the rule as oneOf / not.
 */
export const withOneSecondFactor = <Schema extends z.ZodObject>(schema: Schema, required: boolean) =>
  oneOfFields(schema, ['code', 'recoveryCode'], { required, message: 'give either code or recoveryCode' });

/** The second factor a validated body gives, if any. */
export function proofOf({ code, recoveryCode }: SecondFactorFields): SecondFactorProof | undefined {
  if (recoveryCode !== undefined) return { recoveryCode };
  if (code !== undefined) return { code };
  return undefined;
}
