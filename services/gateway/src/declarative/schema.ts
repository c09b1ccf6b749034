import { z } from 'zod';
import { PLUGIN_NAMES } from '../plugins/schemas.js';

/** The subset of Kong's DB-less format (`_format_version: "3.0"`) this gateway enforces. */
const tags = z.array(z.string()).optional();
const timeout = z.number().int().min(1).max(2147483646);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

export const pluginEntrySchema = z.strictObject({
  name: z.enum(PLUGIN_NAMES as [string, ...string[]], {
    error: (issue) => `unknown plugin ${String(issue.input)}`,
  }),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  tags,
});

const pathSchema = z
  .string()
  .regex(/^~?\//, { error: 'must start with / (or ~/ for a regex)' })
  .refine((path) => !path.includes('//'), { error: 'must not contain //' });

export const routeSchema = z.strictObject({
  name: z.string().min(1),
  paths: z.array(pathSchema).min(1),
  methods: z.array(z.enum(METHODS)).optional(),
  protocols: z.array(z.enum(['http', 'https'])).default(['http', 'https']),
  strip_path: z.boolean().default(true),
  preserve_host: z.boolean().default(false),
  regex_priority: z.number().int().default(0),
  request_buffering: z.boolean().default(true),
  response_buffering: z.boolean().default(true),
  tags,
  plugins: z.array(pluginEntrySchema).default([]),
});

export const serviceSchema = z.strictObject({
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  connect_timeout: timeout.default(60000),
  write_timeout: timeout.default(60000),
  read_timeout: timeout.default(60000),
  retries: z.number().int().min(0).max(32767).default(5),
  tags,
  routes: z.array(routeSchema).default([]),
  plugins: z.array(pluginEntrySchema).default([]),
});

export const jwtSecretSchema = z.strictObject({
  key: z.string().min(1),
  algorithm: z.literal('RS256', { error: 'only RS256 credentials are supported' }),
  rsa_public_key: z.string().includes('BEGIN PUBLIC KEY', { error: 'must be a PEM public key' }),
  /** HS* only; accepted and ignored for RS256, as Kong does. */
  secret: z.string().min(1).optional(),
  tags,
});

export const consumerSchema = z
  .strictObject({
    username: z.string().min(1).optional(),
    custom_id: z.string().min(1).optional(),
    tags,
    jwt_secrets: z.array(jwtSecretSchema).default([]),
  })
  .refine((c) => c.username || c.custom_id, { error: 'needs username or custom_id' });

export const declarativeConfigSchema = z.strictObject({
  _format_version: z.literal('3.0'),
  _transform: z.boolean().optional(),
  _comment: z.string().optional(),
  services: z.array(serviceSchema).default([]),
  consumers: z.array(consumerSchema).default([]),
  plugins: z.array(pluginEntrySchema).default([]),
});

export type DeclarativeConfig = z.infer<typeof declarativeConfigSchema>;
export type ServiceEntry = z.infer<typeof serviceSchema>;
export type RouteEntry = z.infer<typeof routeSchema>;
export type PluginEntry = z.infer<typeof pluginEntrySchema>;
export type ConsumerEntry = z.infer<typeof consumerSchema>;
