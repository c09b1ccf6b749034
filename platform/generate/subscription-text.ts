// Event subscriptions as the services read them in EVENT_SUBSCRIPTIONS (`type`, `noun.*`, `type?field=value`),
// and which of them name what a producer emits.
import type { EventSubscription } from '../shape-types.js';

export const subscriptionText = (subscription: EventSubscription) =>
  typeof subscription === 'string'
    ? subscription
    : `${subscription.type}?${subscription.where.field}=${subscription.where.equals}`;

const subscriptionType = (subscription: EventSubscription) =>
  typeof subscription === 'string' ? subscription : subscription.type;

/** Do two event patterns (`type`, `noun.*`, `*`) have an event type in common? */
function overlaps(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const prefix = (pattern: string) => (pattern.endsWith('.*') ? pattern.slice(0, -1) : undefined);
  const [pa, pb] = [prefix(a), prefix(b)];
  return (pa !== undefined && b.startsWith(pa)) || (pb !== undefined && a.startsWith(pb));
}

/** The subscriptions a producer of `produces` has to deliver: those naming something it emits. */
export const deliveredBy = (produces: readonly string[], subscriptions: readonly EventSubscription[]) =>
  subscriptions.filter((subscription) =>
    produces.some((type) => overlaps(type, subscriptionType(subscription))),
  );
