// A subscription needs a handler: an event delivered to a service that has no handler for its type and
// version is refused and ends as a dead letter. For each subscriber, every contract its subscriptions
// match must be named as a handler key ('type@version') in its source, or be one the kit handles itself.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventContracts } from '../../packages/contracts/src/registry.js';
import { subscriptions } from '../shape.js';
import type { EventSubscription } from '../shape-types.js';
import { deliveredBy } from './subscription-text.js';

/** Consumed by the kit in every service with a token denylist (packages/kit/src/events/runtime.ts). */
const KIT_HANDLED = new Set(['user.disabled@1', 'session.ended@1']);

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

export function unhandledSubscriptions(repoRoot: string): string[] {
  const problems: string[] = [];
  for (const [subscriber, wanted] of Object.entries(
    subscriptions as Record<string, readonly EventSubscription[]>,
  )) {
    const source = sourceText(join(repoRoot, 'services', subscriber, 'src'));
    for (const contract of eventContracts) {
      if (deliveredBy([contract.type], wanted).length === 0 || KIT_HANDLED.has(contract.key)) continue;
      if (!source.includes(`'${contract.key}'`))
        problems.push(
          `${subscriber} subscribes to ${contract.key} but no handler in services/${subscriber}/src names it: it would be dead-lettered`,
        );
    }
  }
  return problems;
}
