import { eventTypes } from '@bonding/contracts';

/** A service that receives some of this service's events at `<url>/internal/events`. */
export interface Subscriber {
  name: string;
  url: string;
  /** Event types it receives: exact (`user.disabled`), a prefix (`user.*`) or everything (`*`). */
  patterns: string[];
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function subscribesTo(subscriber: Subscriber, type: string): boolean {
  return subscriber.patterns.some((pattern) => matches(pattern, type));
}

/**
 * `EVENT_SUBSCRIBERS`: who receives which events, as `;`-separated (or
 * newline-separated) entries `name=url|type,type,...`, e.g.
 *
 *   students=http://students:3002|user.registered,user.updated,user.disabled;
 *   notifications=http://notifications:3006|user.*,agent.approved
 *
 * The name is the receiving service: its secret in INTERNAL_PEER_SECRETS signs
 * the deliveries. An empty value means no subscribers (events are kept and
 * purged). Patterns that match no known event type are refused as typos.
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
    for (const pattern of patterns) {
      if (!eventTypes.some((type) => matches(pattern, type))) {
        throw new Error(`subscriber ${name}: "${pattern}" matches no known event type`);
      }
    }
    subscribers.push({ name, url: url.replace(/\/+$/, ''), patterns });
  }
  return subscribers;
}
