// Concurrent writers on one student's list (issue #26: 50 of them deadlocked into 500s). Every connection
// adds an entry, a third of them as the new primary (each such add switches the primary), then removes
// the oldest entry any connection added: the list keeps churning at its cap instead of filling once and
// answering nothing but 409. Autocannon runs every connection in this one process, so they share `added`.
import { randomInt, randomUUID } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type { LoadPlan } from './scenario.js';

type FileEntryWrites = Extract<LoadPlan, { kind: 'file-entry-writes' }>;

export function fileEntryWrites(plan: FileEntryWrites): AutocannonRequest[] {
  const added: string[] = [];
  const authorization = `Bearer ${plan.token}`;
  return [
    {
      method: 'POST',
      path: plan.path,
      setupRequest: (request) => ({
        ...request,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ ...plan.entry, primary: randomInt(3) === 0 }),
      }),
      onResponse: (status, body) => {
        if (status === 201) added.push((JSON.parse(body) as { id: string }).id);
      },
    },
    {
      method: 'DELETE',
      // Nothing to remove (every add so far was refused: the list was full): an unknown id, a 404.
      setupRequest: (request) => ({
        ...request,
        path: `${plan.path}/${added.shift() ?? randomUUID()}`,
        headers: { authorization },
      }),
    },
  ];
}

/**
 * Empties the list before a run. Autocannon drops the answers still in flight when a run ends, so the
 * entries they added are known to no one; left in place they would keep the next run's list full.
 */
export async function emptyList(baseUrl: string, plan: FileEntryWrites): Promise<void> {
  const headers = { authorization: `Bearer ${plan.token}` };
  const list = await fetch(`${baseUrl}${plan.path}`, { headers });
  if (list.status !== 200) throw new Error(`listing ${plan.path}: HTTP ${list.status}`);
  for (const { id } of ((await list.json()) as { items: { id: string }[] }).items) {
    const removed = await fetch(`${baseUrl}${plan.path}/${id}`, { method: 'DELETE', headers });
    if (removed.status !== 204 && removed.status !== 404) {
      throw new Error(`removing ${plan.path}/${id}: HTTP ${removed.status}`);
    }
  }
}
