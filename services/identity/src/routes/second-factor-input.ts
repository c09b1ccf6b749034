import { z } from '@hono/zod-openapi';
import type { SecondFactorProof } from '../db/second-factor.js';

/** A code as the authenticator app shows it. */
export const TotpCodeSchema = z
  .string()
  .regex(/^\d{6}$/, { error: 'must be the 6 digits the authenticator shows' });

/** A recovery code as the user types it (spacing and case are forgiven when it is checked). */
export const RecoveryCodeSchema = z.string().min(1).max(64);

type SecondFactorFields = { code?: string | undefined; recoveryCode?: string | undefined };

/**
 * A zod refinement for bodies that carry `code` or `recoveryCode`: never both,
 * and (when `required`) one of them. Both answer 400 on the `code` field.
 */
export function oneSecondFactor({ required }: { required: boolean }) {
  return (body: SecondFactorFields, ctx: z.RefinementCtx) => {
    const given = Number(body.code !== undefined) + Number(body.recoveryCode !== undefined);
    if (given > 1 || (required && given === 0)) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'give either code or recoveryCode' });
    }
  };
}

/** The second factor a validated body gives, if any. */
export function proofOf({ code, recoveryCode }: SecondFactorFields): SecondFactorProof | undefined {
  if (recoveryCode !== undefined) return { recoveryCode };
  if (code !== undefined) return { code };
  return undefined;
}
