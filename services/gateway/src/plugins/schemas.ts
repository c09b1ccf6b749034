import { z } from 'zod';

/**
 * The plugin fields this gateway implements, with Kong 3.9's defaults
 * (KONG-REFERENCE.md §2–§10). Objects are strict: a field Kong has but this
 * gateway does not honour is refused at load, never silently ignored.
 */
const positive = z.number().positive();

export const correlationIdConfig = z.strictObject({
  header_name: z.string().min(1).default('Kong-Request-ID'),
  generator: z.enum(['uuid', 'uuid#counter', 'tracker']).default('uuid#counter'),
  echo_downstream: z.boolean().default(false),
});

export const corsConfig = z.strictObject({
  origins: z.array(z.string()).default([]),
  headers: z.array(z.string()).default([]),
  exposed_headers: z.array(z.string()).default([]),
  methods: z
    .array(z.enum(['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']))
    .default(['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']),
  max_age: z.number().int().nonnegative().optional(),
  credentials: z.boolean().default(false),
  private_network: z.boolean().default(false),
  preflight_continue: z.boolean().default(false),
});

export const jwtConfig = z
  .strictObject({
    uri_param_names: z.array(z.string()).default(['jwt']),
    cookie_names: z.array(z.string()).default([]),
    header_names: z.array(z.string()).default(['authorization']),
    claims_to_verify: z.array(z.enum(['exp', 'nbf'])).default([]),
    key_claim_name: z.string().min(1).default('iss'),
    secret_is_base64: z.literal(false).default(false),
    run_on_preflight: z.boolean().default(true),
    maximum_expiration: z.number().int().min(0).max(31536000).default(0),
    realm: z.string().optional(),
  })
  .refine((c) => c.maximum_expiration === 0 || c.claims_to_verify.includes('exp'), {
    message: 'maximum_expiration needs exp in claims_to_verify',
    path: ['maximum_expiration'],
  });

export const rateLimitingConfig = z
  .strictObject({
    second: positive.optional(),
    minute: positive.optional(),
    hour: positive.optional(),
    day: positive.optional(),
    month: positive.optional(),
    year: positive.optional(),
    limit_by: z.enum(['consumer', 'credential', 'ip', 'header']).default('consumer'),
    /** With limit_by header: whose value is the identifier (Kong's typedefs.header_name). */
    header_name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "allowed characters are A-Z, a-z, 0-9, '_', and '-'")
      .optional(),
    policy: z.literal('local').default('local'),
    fault_tolerant: z.boolean().default(true),
    hide_client_headers: z.boolean().default(false),
    error_code: z.number().int().default(429),
    error_message: z.string().default('API rate limit exceeded'),
  })
  .superRefine((config, ctx) => {
    if (config.limit_by === 'header' && config.header_name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['header_name'], message: 'required when limit_by is header' });
    }
    const periods = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
    const set = periods.filter((p) => config[p] !== undefined);
    if (set.length === 0) ctx.addIssue({ code: 'custom', message: 'set at least one of second..year' });
    for (let i = 1; i < set.length; i++) {
      const shorter = set[i - 1] as (typeof periods)[number];
      const longer = set[i] as (typeof periods)[number];
      if ((config[longer] as number) < (config[shorter] as number)) {
        ctx.addIssue({ code: 'custom', path: [longer], message: `must not be smaller than ${shorter}` });
      }
    }
  });

export const requestSizeLimitingConfig = z.strictObject({
  allowed_payload_size: z.number().int().positive().default(128),
  size_unit: z.enum(['megabytes', 'kilobytes', 'bytes']).default('megabytes'),
  require_content_length: z.boolean().default(false),
});

export const prometheusConfig = z.strictObject({
  per_consumer: z.boolean().default(false),
  status_code_metrics: z.boolean().default(false),
  latency_metrics: z.boolean().default(false),
  bandwidth_metrics: z.boolean().default(false),
  upstream_health_metrics: z.literal(false).default(false),
  ai_metrics: z.literal(false).default(false),
});

export const opentelemetryConfig = z.strictObject({
  traces_endpoint: z.url().optional(),
  resource_attributes: z.record(z.string(), z.string()).default({}),
  sampling_rate: z.number().min(0).max(1).optional(),
  propagation: z
    .strictObject({ default_format: z.enum(['w3c']).default('w3c') })
    .default({ default_format: 'w3c' }),
});

export type CorrelationIdConfig = z.infer<typeof correlationIdConfig>;
export type CorsConfig = z.infer<typeof corsConfig>;
export type JwtConfig = z.infer<typeof jwtConfig>;
export type RateLimitingConfig = z.infer<typeof rateLimitingConfig>;
export type RequestSizeLimitingConfig = z.infer<typeof requestSizeLimitingConfig>;
export type PrometheusConfig = z.infer<typeof prometheusConfig>;
export type OpentelemetryConfig = z.infer<typeof opentelemetryConfig>;

export const pluginConfigSchemas = {
  'correlation-id': correlationIdConfig,
  cors: corsConfig,
  jwt: jwtConfig,
  'rate-limiting': rateLimitingConfig,
  'request-size-limiting': requestSizeLimitingConfig,
  prometheus: prometheusConfig,
  opentelemetry: opentelemetryConfig,
} as const;

export type PluginName = keyof typeof pluginConfigSchemas;
export const PLUGIN_NAMES = Object.keys(pluginConfigSchemas) as PluginName[];

/** Kong's PRIORITY per plugin: higher runs first in every phase. */
export const PLUGIN_PRIORITY: Record<PluginName, number> = {
  'correlation-id': 100001,
  cors: 2000,
  jwt: 1450,
  'request-size-limiting': 951,
  'rate-limiting': 910,
  opentelemetry: 14,
  prometheus: 13,
};
