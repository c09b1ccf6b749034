import type { EventHandlers } from '@bonding/kit';
import type { StudentsDatabase } from './db/schema.js';

/**
 * The student directory follows identity's events: every student account
 * appears here (id, names, registration number) as soon as it is registered,
 * so staff can find a student before they have filed anything. Other roles are
 * not students and are left out. Events of one user arrive in order, and
 * `user.updated` carries the whole entry, so an upsert is always right.
 */
export const directoryHandlers: EventHandlers<StudentsDatabase> = {
  'user.registered@1': async (event, trx) => {
    if (event.data.role !== 'student') return;
    await upsertEntry(trx, event.data, event.occurredAt);
  },
  'user.updated@1': async (event, trx) => {
    if (event.data.role !== 'student') return;
    await upsertEntry(trx, event.data, event.occurredAt);
  },
};

async function upsertEntry(
  trx: Parameters<NonNullable<EventHandlers<StudentsDatabase>['user.registered@1']>>[1],
  data: { userId: string; firstName: string; lastName: string; regNumber: string | null },
  at: Date,
): Promise<void> {
  const entry = {
    first_name: data.firstName,
    last_name: data.lastName,
    reg_number: data.regNumber,
    updated_at: at,
  };
  await trx
    .insertInto('student_directory')
    .values({ user_id: data.userId, ...entry })
    .onDuplicateKeyUpdate(entry)
    .execute();
}
