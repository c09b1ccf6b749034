import { z } from 'zod';

/** The settings of a service that takes Idempotency-Key on money-moving routes. */
export const idempotencyConfigShape = {
  /** How long a request holds its Idempotency-Key before a retry may take over (crashed process). */
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How long completed Idempotency-Key records are kept for replays. */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().min(1).default(24),
};
