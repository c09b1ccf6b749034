// The platform's shape, declared once: its services and ports, the public route groups the edge routes
// (with who may call them and how they are rate-limited) and who subscribes to which events.
//
// kong/kong.yml, charts/bonding/platform-shape.yaml and docs/reference/*.md are generated from this file
// and the services' OpenAPI documents (`npm run generate`; `npm run lint` fails when one is stale).
// scripts/lib/services.ts (the local stack) imports it directly. A new route inside an existing group
// needs nothing here: the group's path prefix already covers it. A new group is one more entry below.
import type {
  AuthClass,
  EventSubscription,
  PlatformService,
  RateLimitClass,
  RateLimitWindows,
  RouteGroup,
} from './shape-types.js';

export const services = [
  { name: 'identity', port: 3001, produces: ['user.*', 'agent.approved', 'session.ended'] },
  { name: 'students', port: 3002 },
  { name: 'catalog', port: 3003 },
  {
    name: 'loans',
    port: 3004,
    produces: [
      'loan.*',
      'lending.*',
      'repayment.received',
      'tranche.certified',
      'tranche.releaseRequested',
      'tranche.lapsed',
    ],
  },
  {
    name: 'ledger',
    port: 3005,
    produces: ['transfer.completed', 'disbursement.failed', 'tranche.released', 'tranche.releaseFailed'],
  },
  { name: 'notifications', port: 3006 },
  // The API reference portal: the merged OpenAPI document of every service and an interactive UI.
  { name: 'docs', port: 3010, database: false },
] as const satisfies readonly PlatformService[];

export type ServiceName = (typeof services)[number]['name'];

/**
 * Per-address limits for the routes whose class is not `per-user` (the global per-user limit is an edge
 * setting: kong/kong.yml's global plugins). docs/design.md §3 gives the reasons for each size.
 */
export const rateLimits: Record<Exclude<RateLimitClass, 'per-user'>, RateLimitWindows> = {
  'per-address': { second: 50, minute: 2000 },
  'sign-in': { minute: 60, hour: 1200 },
  'account-security': { minute: 30, hour: 300 },
  stream: { second: 20, minute: 600 },
};

/** Kong services beyond one per backend, for routes that need other timeouts (same backend, same pods). */
export const extraKongServices = {
  'notifications-stream': {
    service: 'notifications',
    key: 'stream',
    // Kong's read timeout is the longest silence between two reads; the stream writes a heartbeat every
    // 15 s and stays open as long as its token lives, so only a dead stream is cut.
    readTimeout: 3_600_000,
    why: 'The same backend, for server-sent events only: a stream stays open for as long as its token lives\n(heartbeats every 15 s), so this Kong service has its own long read timeout.',
  },
} as const;

const bearer: AuthClass = 'bearer';

export const routeGroups = [
  {
    name: 'identity-sign-in',
    service: 'identity',
    auth: 'public',
    rateLimit: 'sign-in',
    paths: [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/password-reset',
      '/api/v1/auth/verify-email',
    ],
    methods: ['POST'],
    why: "Public and attractive to attackers: a per-address limit much stricter than other anonymous routes'.\n/auth/login's prefix covers /auth/login/mfa, the second step of a two-factor sign-in (it takes a\nchallenge, not a token). Password reset (its prefix covers /confirm) and e-mail verification by code\nare public too, so they share the sign-in limit; /auth/verify-email/resend (longer prefix) needs a\ntoken and is in identity-session.",
  },
  {
    name: 'identity-refresh',
    service: 'identity',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/api/v1/auth/refresh'],
    methods: ['POST'],
    why: 'Anonymous (the refresh token is in the body): counted per address, like every route without jwt.',
  },
  {
    name: 'identity-jwks',
    service: 'identity',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/.well-known/jwks.json'],
    methods: ['GET', 'HEAD'],
  },
  {
    name: 'identity-session',
    service: 'identity',
    auth: bearer,
    rateLimit: 'per-user',
    paths: [
      '/api/v1/auth/logout',
      '/api/v1/auth/me',
      '/api/v1/auth/sessions',
      '/api/v1/auth/verify-email/resend',
    ],
    methods: ['GET', 'POST', 'DELETE'],
  },
  {
    name: 'identity-account-security',
    service: 'identity',
    auth: bearer,
    rateLimit: 'account-security',
    paths: ['~/api/v1/auth/password$', '/api/v1/auth/email', '/api/v1/auth/mfa'],
    methods: ['GET', 'POST'],
    why: "Changing the password or the e-mail address and managing two-factor sign-in: each takes the\npassword or a code, so a stolen token must not guess at a signed-in user's rate: a per-address\nlimit replaces the per-user one here. Identity also limits them per account. /auth/password is a\nregex so that it does not also claim the public /auth/password-reset. Enrolling an authenticator\nalso takes the enrolment-only token an admin gets when MFA_REQUIRED_FOR_ADMINS is on: jwt here\nchecks its signature and expiry like any token's.",
  },
  {
    name: 'identity-users',
    service: 'identity',
    auth: 'role',
    roles: ['admin'],
    rateLimit: 'per-user',
    paths: ['/api/v1/users'],
    methods: ['GET', 'POST'],
    why: 'User administration: the edge checks the token, identity checks the admin role.',
  },
  {
    name: 'students-files',
    service: 'students',
    auth: bearer,
    rateLimit: 'per-user',
    paths: ['/api/v1/students'],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    why: 'Every bonding-file route needs a token: the file is personal data.',
  },
  {
    name: 'catalog-products-read',
    service: 'catalog',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/api/v1/products'],
    methods: ['GET', 'HEAD'],
    why: 'Anyone may browse the products on offer.',
  },
  {
    name: 'catalog-products-write',
    service: 'catalog',
    auth: 'role',
    roles: ['agent', 'admin'],
    rateLimit: 'per-user',
    paths: ['/api/v1/products'],
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    // Shares its path with the read route: Kong tells them apart by method, so no OPTIONS here.
    preflight: false,
  },
  {
    name: 'catalog-institutions-read',
    service: 'catalog',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/api/v1/institutions'],
    methods: ['GET', 'HEAD'],
    why: 'Anyone may see the institutions loans pay tuition to, archived ones by id.',
  },
  {
    name: 'catalog-institutions-write',
    service: 'catalog',
    auth: 'role',
    roles: ['admin'],
    rateLimit: 'per-user',
    paths: ['/api/v1/institutions'],
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    why: 'Institutions receive tuition money: only admins add, change or archive them (the service checks the role).',
    // Shares its path with the read route: Kong tells them apart by method, so no OPTIONS here.
    preflight: false,
  },
  {
    name: 'loans-lifecycle',
    service: 'loans',
    auth: bearer,
    rateLimit: 'per-user',
    paths: ['/api/v1/loans'],
    methods: ['GET', 'HEAD', 'POST', 'PATCH'],
    why: 'Applications, decisions, schedules, history and repayments: every route needs a token.\nCreating POSTs carry an Idempotency-Key, so a retried request never makes a second loan or payment.',
  },
  {
    name: 'loans-guarantor-consents',
    service: 'loans',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/api/v1/guarantor-consents'],
    methods: ['GET', 'POST'],
    why: "A guarantor is a student's guardian, not a user: the one-time consent code in the path (128 random\nbits, from their e-mail) is the credential, so no token; counted per address like every anonymous route.\nGET only shows the loan (mail scanners follow links); POST decides, once.",
  },
  {
    name: 'lending',
    service: 'loans',
    auth: 'role',
    roles: ['agent', 'admin'],
    rateLimit: 'per-user',
    paths: ['/api/v1/lending'],
    methods: ['GET', 'POST'],
    why: "The lending domain's business date and its close-of-business runs: staff read them, admins move the\ndate forward where it is settable (the service checks the roles).",
  },
  {
    name: 'ledger-money',
    service: 'ledger',
    auth: bearer,
    rateLimit: 'per-user',
    paths: [
      '/api/v1/accounts',
      '/api/v1/cards',
      '/api/v1/transfers',
      '/api/v1/deposits',
      '/api/v1/withdrawals',
      '/api/v1/ledger',
    ],
    methods: ['GET', 'HEAD', 'POST'],
    why: 'Accounts, cards, transfers, deposits, withdrawals and reconciliation: every route needs a token.\nMoney-moving POSTs carry an Idempotency-Key, so a retried request never moves money twice.',
  },
  {
    name: 'notifications-inbox',
    service: 'notifications',
    auth: bearer,
    rateLimit: 'per-user',
    paths: ['/api/v1/notifications'],
    methods: ['GET', 'POST'],
    why: "A user's own notifications (list, read, read-all, stream tickets): every route needs a token.",
  },
  {
    name: 'notifications-stream',
    service: 'notifications',
    kongService: 'notifications-stream',
    auth: 'ticket',
    rateLimit: 'stream',
    paths: ['~/api/v1/notifications/stream$'],
    methods: ['GET'],
    responseBuffering: false,
    why: "EventSource cannot send an Authorization header, so the stream also opens with a one-time\n?ticket= (from POST /api/v1/notifications/stream-tickets, which needs a token). Kong's jwt\nplugin would refuse a ticket-only request, so this route has none: the service verifies the\nbearer token or redeems the ticket itself. Its own per-address limit (in place of the per-user\none, whose Authorization header nothing here has checked) bounds unauthenticated attempts. An\nexact path, so /stream-tickets stays on the route above.",
  },
  {
    name: 'docs-portal',
    service: 'docs',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['/docs'],
    methods: ['GET', 'HEAD'],
  },
  {
    name: 'docs-openapi',
    service: 'docs',
    auth: 'public',
    rateLimit: 'per-address',
    paths: ['~/openapi\\.json$'],
    methods: ['GET', 'HEAD'],
  },
] as const satisfies readonly RouteGroup<ServiceName>[];

/**
 * Who receives which events: each subscriber's durables on the JetStream stream take the events of every
 * producer that match one of these patterns (`type`, `noun.*`), optionally only when a data field has a
 * given value (checked by the consumer). user.disabled and session.ended reach every service's token denylist.
 */
export const subscriptions = {
  students: ['user.registered', 'user.updated', 'user.disabled', 'session.ended'],
  catalog: ['user.disabled', 'session.ended'],
  // Of the ledger's transfers loans acts only on disbursements: the others are not sent to it.
  loans: [
    'user.disabled',
    'session.ended',
    { type: 'transfer.completed', where: { field: 'purpose', equals: 'disbursement' } },
    'disbursement.failed',
    'tranche.released',
    'tranche.releaseFailed',
  ],
  ledger: ['user.disabled', 'session.ended', 'loan.approved', 'tranche.releaseRequested'],
  notifications: [
    'user.*',
    'agent.approved',
    'session.ended',
    'loan.*',
    'repayment.received',
    'transfer.completed',
    'disbursement.failed',
    // By name, not tranche.*: tranche.releaseRequested@1 is loans asking the ledger, news to nobody.
    'tranche.certified',
    'tranche.released',
    'tranche.releaseFailed',
    'tranche.lapsed',
  ],
} as const satisfies Partial<Record<ServiceName, readonly EventSubscription[]>>;

/**
 * The services that may read the event types carrying one-time codes (`secret` in their contracts:
 * verification, reset, confirmation and consent codes), which travel on the private stream
 * (docs/events.md, "The private stream"). Only notifications mails them; a subscription of any other
 * service that takes one (`user.*`, `loan.*`) is refused by the JetStream declaration: name types instead.
 */
export const secretReaders = ['notifications'] as const satisfies readonly ServiceName[];
