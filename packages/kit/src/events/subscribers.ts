import { eventContracts, eventTypes } from '@bonding/contracts';

/** A service that receives some of this service's events at `<url>/internal/events`. */
export interface Subscriber {
  name: string;
  url: string;
  /**
   * Event types it receives: exact (`user.disabled`), a prefix (`user.*`) or everything (`*`), each
   * optionally narrowed to events whose data has one top-level field with one value
   * (`transfer.completed?purpose=disbursement`), so a consumer is not sent what it would only drop.
   */
  patterns: string[];
}

/** An event as the fan-out sees it; `data` is read only when a pattern looks into it. */
export interface RoutedEvent {
  type: string;
  data(): Record<string, unknown>;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const FILTER = /^([A-Za-z][A-Za-z0-9]*)=([A-Za-z0-9_.-]+)$/;

interface Pattern {
  types: string;
  filter?: { field: string; value: string };
}

function parsePattern(pattern: string): Pattern {
  const question = pattern.indexOf('?');
  if (question < 0) return { types: pattern };
  const filter = FILTER.exec(pattern.slice(question + 1));
  if (!filter) throw new Error(`"${pattern}" is not type?field=value`);
  return {
    types: pattern.slice(0, question),
    filter: { field: filter[1] as string, value: filter[2] as string },
  };
}

function matchesType(types: string, type: string): boolean {
  if (types === '*') return true;
  if (types.endsWith('.*')) return type.startsWith(types.slice(0, -1));
  return types === type;
}

function matches(pattern: string, event: RoutedEvent): boolean {
  const { types, filter } = parsePattern(pattern);
  if (!matchesType(types, event.type)) return false;
  return !filter || String(event.data()[filter.field]) === filter.value;
}

export function subscribesTo(subscriber: Subscriber, event: RoutedEvent): boolean {
  return subscriber.patterns.some((pattern) => matches(pattern, event));
}

/** A pattern must name a known type, and a filter a field that every version of those types carries. */
function checkPattern(name: string, pattern: string): void {
  const { types, filter } = parsePattern(pattern);
  if (!eventTypes.some((type) => matchesType(types, type))) {
    throw new Error(`subscriber ${name}: "${pattern}" matches no known event type`);
  }
  if (!filter) return;
  const missing = eventContracts.filter(
    (contract) => matchesType(types, contract.type) && !(filter.field in contract.schema.shape),
  );
  if (missing.length > 0) {
    throw new Error(`subscriber ${name}: ${missing[0]?.key} has no field "${filter.field}" to filter on`);
  }
}

/**
 * `EVENT_SUBSCRIPTIONS`: what this service consumes, as comma-separated patterns (`user.disabled`,
 * `user.*`, `transfer.completed?purpose=disbursement`), the same as its entry in platform/shape.ts.
 * Patterns that match no known event type, or filter on a field their events lack, are refused as typos.
 */
export function parseSubscriptions(text: string): string[] {
  const patterns = text
    .split(/[,\s]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  for (const pattern of patterns) checkPattern('this service', pattern);
  return [...new Set(patterns)];
}

/**
 * `EVENT_SUBSCRIBERS`: who receives which events, as `;`-separated (or
 * newline-separated) entries `name=url|type,type,...`, e.g.
 *
 *   students=http://students:3002|user.registered,user.updated,user.disabled;
 *   notifications=http://notifications:3006|user.*,agent.approved;
 *   loans=http://loans:3004|transfer.completed?purpose=disbursement
 *
 * The name is the receiving service: its secret in INTERNAL_PEER_SECRETS signs
 * the deliveries. An empty value means no subscribers (events are kept and
 * purged). Patterns that match no known event type, or filter on a field
 * their events do not have, are refused as typos.
 */
export function parseSubscribers(text: string): Subscriber[] {
  const subscribers: Subscriber[] = [];
  for (const entry of text
    .split(/[;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    const equals = entry.indexOf('=');
    const bar = entry.lastIndexOf('|');
    if (equals <= 0 || bar < equals) throw new Error(`"${entry}" is not name=url|type,type`);
    const name = entry.slice(0, equals).trim();
    const url = entry.slice(equals + 1, bar).trim();
    const patterns = entry
      .slice(bar + 1)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    if (!NAME.test(name)) throw new Error(`subscriber name "${name}" must be a lower-case service name`);
    if (subscribers.some((s) => s.name === name)) throw new Error(`subscriber ${name} is named twice`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`subscriber ${name}: "${url}" is not a URL`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new Error(`subscriber ${name}: the URL must be http(s)`);
    if (patterns.length === 0) throw new Error(`subscriber ${name} names no event types`);
    for (const pattern of patterns) checkPattern(name, pattern);
    subscribers.push({ name, url: url.replace(/\/+$/, ''), patterns });
  }
  return subscribers;
}
