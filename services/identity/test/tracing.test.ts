import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSigningKeyDir,
  createTestDatabase,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface ExportedSpan {
  service: string;
  scope: string;
  name: string;
  traceId: string;
}

/** A minimal OTLP/HTTP (JSON) trace receiver that keeps what it is sent. */
function startReceiver(spans: ExportedSpan[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const payload = JSON.parse(body);
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = resourceSpans.resource.attributes.find(
          (a: { key: string }) => a.key === 'service.name',
        )?.value.stringValue;
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({ service, scope: scopeSpans.scope.name, name: span.name, traceId: span.traceId });
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

let database: TestDatabase;
let service: ServiceProcess;
let receiver: Server;
const spans: ExportedSpan[] = [];
beforeAll(async () => {
  database = await createTestDatabase('identity_tracing');
  const started = await startReceiver(spans);
  receiver = started.server;
  service = await startServiceProcess({
    cwd: serviceDir,
    port: await freePort(),
    env: {
      MYSQL_URL: database.url,
      JWT_KEYS_DIR: createSigningKeyDir().dir,
      MIGRATE_ON_START: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${started.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_SERVICE_NAME: 'identity',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
});
afterAll(async () => {
  await service?.stop('SIGKILL');
  receiver?.close();
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
    const traceOf = () => spans.filter((span) => span.traceId === line.trace_id);
    const complete = () =>
      traceOf().some(
        (span) => span.scope === '@opentelemetry/instrumentation-http' && span.name.startsWith('POST'),
      ) && traceOf().some((span) => span.scope.includes('mysql2'));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !complete()) await new Promise((resolve) => setTimeout(resolve, 100));
    const trace = traceOf();
    expect(trace.every((span) => span.service === 'identity')).toBe(true);
    expect(
      trace.some(
        (span) => span.scope === '@opentelemetry/instrumentation-http' && span.name.startsWith('POST'),
      ),
    ).toBe(true);
    expect(trace.some((span) => span.scope.includes('mysql2'))).toBe(true);
  });
});
