// Creates or updates the platform's JetStream streams (the events' and the private one of the types
// carrying one-time codes) and durable consumers, declared from platform/shape.ts
// (platform/events/declaration.ts): run by `npm start`, and by scripts/nats-provision.ts,
// the CLI a deployment runs before the services (e.g. as a chart hook), so services need no right to
// create streams.

import { randomBytes } from 'node:crypto';
import { eventConfigShape } from '../../packages/kit/src/events/config.js';
import { connectNats, type NatsAuth } from '../../packages/kit/src/events/jetstream/connection.js';
import {
  declareJetStream,
  defaultJetStreamSettings,
  type JetStreamSettings,
} from '../../platform/events/declaration.js';
import {
  deleteJetStream,
  type ProvisionReport,
  provisionJetStream,
} from '../../platform/events/provision.js';
import { subscriptionText } from '../../platform/generate/subscription-text.js';
import { secretReaders, services, subscriptions } from '../../platform/shape.js';
import type { EventSubscription } from '../../platform/shape-types.js';
import { redactNats } from './nats-server.js';
import { info } from './processes.js';

export interface PlatformStreamOptions {
  replicas?: number;
  maxAgeHours?: number;
  /** How long the private stream keeps a secret event (default 60 minutes; docs/events.md). */
  privateMaxAgeMinutes?: number;
  /** The stream's name and subject root (default BONDING_EVENTS, bonding): a test platform takes its own. */
  stream?: string;
  prefix?: string;
  /** Say nothing unless something is wrong (the test platform). */
  quiet?: boolean;
  /** NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE (the chart's hook Job connects as `provisioner`). */
  auth?: NatsAuth;
}

/** The settings from the options, checked against the inbox retention (INBOX_RETENTION_HOURS). */
export function platformJetStreamSettings(options: PlatformStreamOptions = {}): JetStreamSettings {
  const settings: JetStreamSettings = {
    ...defaultJetStreamSettings,
    stream: options.stream ?? defaultJetStreamSettings.stream,
    prefix: options.prefix ?? defaultJetStreamSettings.prefix,
    replicas: options.replicas ?? defaultJetStreamSettings.replicas,
    maxAgeMs:
      options.maxAgeHours !== undefined ? options.maxAgeHours * 3_600_000 : defaultJetStreamSettings.maxAgeMs,
    privateMaxAgeMs:
      options.privateMaxAgeMinutes !== undefined
        ? options.privateMaxAgeMinutes * 60_000
        : defaultJetStreamSettings.privateMaxAgeMs,
  };
  for (const [name, ms] of [
    ['max age', settings.maxAgeMs],
    ['private max age', settings.privateMaxAgeMs],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 60_000)
      throw new Error(`the stream's ${name} must be at least a minute`);
  }
  // The inbox is the exactly-once guarantee: anything either stream can still hand out (a re-read durable,
  // a re-publish) must be an event the consumers' inboxes still remember.
  const inboxHours = eventConfigShape.INBOX_RETENTION_HOURS.parse(process.env.INBOX_RETENTION_HOURS);
  const longest = Math.max(settings.maxAgeMs, settings.privateMaxAgeMs);
  if (longest >= inboxHours * 3_600_000) {
    throw new Error(
      `the streams' max age (${longest / 3_600_000} h) must be shorter than INBOX_RETENTION_HOURS (${inboxHours} h)`,
    );
  }
  return settings;
}

export async function provisionPlatformStreams(
  url: string,
  options: PlatformStreamOptions = {},
): Promise<ProvisionReport> {
  const declaration = declareJetStream(
    { services, subscriptions, secretReaders },
    platformJetStreamSettings(options),
  );
  const nc = await connectNats(url, 'bonding-provision', { auth: options.auth });
  try {
    const report = await provisionJetStream(nc, declaration);
    if (options.quiet) return report;
    const counts = Object.values(report.consumers).reduce<Record<string, number>>((acc, change) => {
      acc[change] = (acc[change] ?? 0) + 1;
      return acc;
    }, {});
    info(
      'nats',
      `stream ${declaration.stream.name} ${report.stream}; ${declaration.privateStream.name} ` +
        `${report.privateStream}; ${declaration.consumers.length} durables ` +
        `(${Object.entries(counts)
          .map(([change, n]) => `${n} ${change}`)
          .join(', ')}; ${report.filter} filters) on ${redactNats(url)}`,
    );
    if (report.extra.length > 0) {
      info('nats', `durables not declared (left alone; delete them if retired): ${report.extra.join(', ')}`);
    }
    return report;
  } finally {
    await nc.close();
  }
}

/** Deletes a test platform's own stream, its private stream and their durables (never the platform's). */
export async function deletePlatformStream(url: string, stream: string): Promise<void> {
  if (stream === defaultJetStreamSettings.stream) throw new Error(`refusing to delete ${stream}`);
  const nc = await connectNats(url, 'bonding-provision');
  try {
    await deleteJetStream(nc, stream);
  } finally {
    await nc.close();
  }
}

/**
 * A stream and subject root of a test's own on a shared NATS server, provisioned from platform/shape.ts like
 * the platform's (so tests running in parallel never see each other's events): the environment a service
 * process or harness takes, each service's EVENT_SUBSCRIPTIONS, and close() to delete it.
 */
export async function provisionTestStream(url: string, label: string) {
  const id = randomBytes(4).toString('hex');
  const env = {
    NATS_URL: url,
    NATS_STREAM: `T_${label.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_${id}`,
    NATS_SUBJECT_PREFIX: `t${id}`,
  };
  await provisionPlatformStreams(url, {
    stream: env.NATS_STREAM,
    prefix: env.NATS_SUBJECT_PREFIX,
    quiet: true,
  });
  const subscribed = subscriptions as Partial<Record<string, readonly EventSubscription[]>>;
  return {
    env,
    /** The service's subscriptions as EVENT_SUBSCRIPTIONS. */
    subscriptions: (service: string) => (subscribed[service] ?? []).map(subscriptionText).join(','),
    close: () => deletePlatformStream(url, env.NATS_STREAM),
  };
}
