import { eventContracts, eventTypes } from '@bonding/contracts';

/** An event as matched against patterns; `data` is read only when a pattern looks into it. */
export interface RoutedEvent {
  type: string;
  data(): Record<string, unknown>;
}

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

export function matchesType(types: string, type: string): boolean {
  if (types === '*') return true;
  if (types.endsWith('.*')) return type.startsWith(types.slice(0, -1));
  return types === type;
}

function matches(pattern: string, event: RoutedEvent): boolean {
  const { types, filter } = parsePattern(pattern);
  if (!matchesType(types, event.type)) return false;
  return !filter || String(event.data()[filter.field]) === filter.value;
}

/**
 * Whether a service's subscriptions (EVENT_SUBSCRIPTIONS) take the event: a pattern is a type
 * (`user.disabled`), a prefix (`user.*`) or everything (`*`), optionally narrowed to events whose data has
 * one top-level field with one value (`transfer.completed?purpose=disbursement`).
 */
export function subscribesTo(patterns: readonly string[], event: RoutedEvent): boolean {
  return patterns.some((pattern) => matches(pattern, event));
}

/** A pattern must name a known type, and a filter a field that every version of those types carries. */
function checkPattern(pattern: string): void {
  const { types, filter } = parsePattern(pattern);
  if (!eventTypes.some((type) => matchesType(types, type))) {
    throw new Error(`"${pattern}" matches no known event type`);
  }
  if (!filter) return;
  const missing = eventContracts.filter(
    (contract) => matchesType(types, contract.type) && !(filter.field in contract.schema.shape),
  );
  if (missing.length > 0) {
    throw new Error(`${missing[0]?.key} has no field "${filter.field}" to filter on`);
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
  for (const pattern of patterns) checkPattern(pattern);
  return [...new Set(patterns)];
}
