import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSigningKeyDir,
  createTestDatabase,
  freePort,
  type OtlpReceiver,
  type ReceivedSpan,
  type ServiceProcess,
  startOtlpReceiver,
  startServiceProcess,
  type TestDatabase,
  waitFor,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');

let database: TestDatabase;
let service: ServiceProcess;
let receiver: OtlpReceiver;
beforeAll(async () => {
  database = await createTestDatabase('identity_tracing');
  receiver = await startOtlpReceiver();
  service = await startServiceProcess({
    cwd: serviceDir,
    port: await freePort(),
    env: {
      MYSQL_URL: database.url,
      JWT_KEYS_DIR: createSigningKeyDir().dir,
      MIGRATE_ON_START: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_SERVICE_NAME: 'identity',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
});
afterAll(async () => {
  await service?.stop('SIGKILL');
  await receiver?.close();
  await database?.drop();
});

describe('tracing', () => {
  it('exports HTTP and mysql2 spans over OTLP and joins log lines to their trace', async () => {
    const response = await fetch(`${service.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-ID': 'trace-me' },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password' }),
    });
    expect(response.status).toBe(401);

    const line = JSON.parse(await service.waitForLine('"trace-me"'));
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    const isServerSpan = (span: ReceivedSpan) =>
      span.scope === '@opentelemetry/instrumentation-http' && span.name.startsWith('POST');
    const trace = await waitFor(
      () => {
        const spans = receiver.trace(line.trace_id);
        return spans.some(isServerSpan) && spans.some((span) => span.scope.includes('mysql2')) && spans;
      },
      { what: 'the HTTP and mysql2 spans of the login' },
    );
    expect(trace.every((span) => span.service === 'identity')).toBe(true);
    const server = trace.find(isServerSpan);
    // The request id joins a trace to the edge's and the service's log lines.
    expect(server?.attributes['request.id']).toBe('trace-me');
    expect(server?.resource['service.version']).toMatch(/^\d+\.\d+\.\d+/);
  });
});
