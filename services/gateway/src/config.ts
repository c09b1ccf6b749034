import { eventConfigShape } from '@bonding/kit';
import { z } from 'zod';

export const gatewayConfigSchema = z.object({
  /** The rendered kong.yml (see kong/README.md); never the template, which has no keys. */
  GATEWAY_CONFIG: z.string().min(1),
  /** The address the proxy listens on. */
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  /** Like Kong's status listener: /metrics and /status/ready, never on the proxy port. */
  STATUS_PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  /**
   * Where identity's user.disabled and session.ended are read for the gateway's token denylist (in memory,
   * from an ephemeral consumer): the platform's NATS server, stream and subject root.
   */
  NATS_URL: eventConfigShape.NATS_URL,
  NATS_USER: eventConfigShape.NATS_USER,
  NATS_PASSWORD: eventConfigShape.NATS_PASSWORD,
  NATS_TLS_CA_FILE: eventConfigShape.NATS_TLS_CA_FILE,
  NATS_STREAM: eventConfigShape.NATS_STREAM,
  NATS_SUBJECT_PREFIX: eventConfigShape.NATS_SUBJECT_PREFIX,
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
