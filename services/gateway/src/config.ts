import { eventConfigShape } from '@bonding/kit';
import { z } from 'zod';

export const gatewayConfigSchema = z.object({
  /** The rendered kong.yml (see kong/README.md); never the template, which has no keys. */
  GATEWAY_CONFIG: z.string().min(1),
  /** The address the proxy listens on. */
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  /**
   * Like Kong's status listener: /metrics and /status/ready, never on the proxy port. Also POST
   * /internal/events (signed with one of INTERNAL_SECRETS), where identity delivers user.disabled and
   * session.ended to the gateway's token denylist: the proxy port never serves /internal.
   */
  STATUS_PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  /** Accepted on POST /internal/events, as on a service's /internal routes. Empty: only the services refuse denylisted tokens. */
  INTERNAL_SECRETS: eventConfigShape.INTERNAL_SECRETS,
  /** Signed deliveries older or newer than this are refused (replay guard). */
  INTERNAL_SIGNATURE_MAX_SKEW_SECONDS: eventConfigShape.INTERNAL_SIGNATURE_MAX_SKEW_SECONDS,
  /** pino level; logs are JSON lines on stdout. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Kong's trusted_ips / real_ip_header / real_ip_recursive, for running behind a load balancer. */
  TRUSTED_IPS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  /** Kong's real_ip_header: where trusted proxies put the client address (kong/README.md). */
  REAL_IP_HEADER: z.string().default('X-Real-IP'),
  /** Kong's real_ip_recursive: skip trusted hops from the right of the header. */
  REAL_IP_RECURSIVE: z.stringbool().default(false),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
