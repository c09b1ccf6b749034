import { uuidv7 } from '@bonding/kit';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from './schema.js';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetId: string | null;
  details?: Record<string, unknown>;
}

/** Records who did what to whom; written in the same transaction as the change. */
export async function writeAudit(db: Kysely<IdentityDatabase>, entry: AuditEntry, at: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: uuidv7(at.getTime()),
      actor_id: entry.actorId,
      action: entry.action,
      target_id: entry.targetId,
      details: entry.details ? JSON.stringify(entry.details) : null,
      created_at: at,
    })
    .execute();
}
