// The vocabulary of platform/shape.ts: what a service, a route group and a subscription are.

/**
 * Who may call a route group, as the edge sees it:
 * - `public`: anyone, no token (the edge counts requests per client address);
 * - `bearer`: a signed-in user; the edge verifies the token (jwt) before anything else;
 * - `role`: like `bearer`, and the service also requires one of `roles` (the edge cannot read roles);
 * - `ticket`: a bearer token or a one-time ticket, both checked by the service (no jwt at the edge, which
 *   would refuse the ticket): the notifications stream.
 */
export type AuthClass = 'public' | 'bearer' | 'role' | 'ticket';

/**
 * How a route group is rate-limited: `per-user` is the edge's global limit keyed by the verified bearer
 * token; the others are per client address and replace it on the group's routes. A group whose requests
 * carry no verified token (public, ticket) must count per address: the Authorization header is an identity
 * only where jwt has checked it.
 */
export type RateLimitClass = 'per-user' | 'per-address' | 'sign-in' | 'account-security' | 'stream';

export type RateLimitWindows = Partial<Record<'second' | 'minute' | 'hour' | 'day', number>>;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface PlatformService {
  name: string;
  /** Local port, the chart's container port and the Kubernetes Service port. */
  port: number;
  /** Owns a MySQL database `bonding_<name>` (default true). */
  database?: boolean;
  /** Event types (or `noun.*` patterns) it emits, so that each subscriber gets them from the right producer. */
  produces?: readonly string[];
}

export interface RouteGroup<Service extends string = string> {
  /** The Kong route's name (also the chart's Ingress name suffix). */
  name: string;
  service: Service;
  /** A Kong service other than the backend's own (a key of extraKongServices), for other timeouts. */
  kongService?: string;
  auth: AuthClass;
  /** With auth `role`: who the service lets in. Documentation; the service's guards enforce it. */
  roles?: readonly ('student' | 'agent' | 'admin')[];
  rateLimit: RateLimitClass;
  /** Kong paths: plain prefixes, or `~` regexes. Every route under a prefix belongs to the group. */
  paths: readonly string[];
  methods: readonly HttpMethod[];
  /** Route OPTIONS too, so CORS preflights reach the cors plugin (default true). */
  preflight?: boolean;
  /** Kong's response_buffering; false streams each write to the client. */
  responseBuffering?: boolean;
  /** Why the group is shaped as it is; becomes the route's comment in kong/kong.yml. */
  why?: string;
}

/** An event type or `noun.*` pattern, optionally only when one field of the event's data has a value. */
export type EventSubscription = string | { type: string; where: { field: string; equals: string } };
