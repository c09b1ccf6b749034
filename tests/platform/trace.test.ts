import { randomUUID } from 'node:crypto';
import {
  type OtlpReceiver,
  OtlpSpanKind,
  type ReceivedSpan,
  startOtlpReceiver,
  waitFor,
} from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedAgent,
  completeStudent,
  createProduct,
  type Person,
  raiseLoan,
  signInAdmin,
  waitForLoanStatus,
} from './journeys.js';
import { PLATFORM_SERVICES, type Platform, type PlatformService, startPlatform } from './platform.js';

/**
 * Issue #12: one trace follows a request from the edge through the services it calls, and on through
 * the events it causes, with every span's parent in the same trace. Every process exports to this
 * test's OTLP receiver, sampling everything.
 */
let platform: Platform;
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  platform = await startPlatform({
    name: 'trace',
    services: PLATFORM_SERVICES,
    // Seven processes load the tracing SDK at once on a busy machine.
    startTimeoutMs: 180_000,
    env: {
      all: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Parent-based as in production, but every new trace is sampled.
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // The access log lines (info) are the ones that carry the trace id.
        LOG_LEVEL: 'info',
      },
    },
  });
}, 420_000);
afterAll(async () => {
  await platform?.close();
  await receiver?.close();
});

const isHttp = (span: ReceivedSpan) => span.scope === '@opentelemetry/instrumentation-http';
const isFetch = (span: ReceivedSpan) => span.scope === '@opentelemetry/instrumentation-undici';
const isDb = (span: ReceivedSpan) => span.scope === '@opentelemetry/instrumentation-mysql2';

/** The trace of the request the edge tagged with this X-Request-ID. */
function traceOfRequest(requestId: string): string | undefined {
  return receiver.spans.find(
    (span) =>
      span.service === 'gateway' &&
      span.kind === OtlpSpanKind.SERVER &&
      span.attributes['request.id'] === requestId,
  )?.traceId;
}

/** Spans whose parent is not (yet) in the trace: none once the trace is whole. */
function orphans(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => span.parentSpanId !== '' && !ids.has(span.parentSpanId));
}

function childrenOf(parent: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  return spans.filter((span) => span.parentSpanId === parent.spanId);
}

function isBelow(span: ReceivedSpan, ancestor: ReceivedSpan, spans: ReceivedSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) {
    if (at.spanId === ancestor.spanId) return true;
  }
  return false;
}

/** The server span a client span (fetch or http) led to in another service. */
function serverSpanOf(client: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan | undefined {
  return childrenOf(client, spans).find((span) => isHttp(span) && span.kind === OtlpSpanKind.SERVER);
}

/** The server span in which `service` answered the edge (not an event delivery or a call from a peer). */
function answeredEdge(spans: ReceivedSpan[], service: PlatformService): ReceivedSpan | undefined {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  return spans.find(
    (span) =>
      span.service === service &&
      isHttp(span) &&
      span.kind === OtlpSpanKind.SERVER &&
      byId.get(span.parentSpanId)?.service === 'gateway',
  );
}

const describeSpan = (span: ReceivedSpan) => `${span.service} ${span.scope} "${span.name}"`;

/**
 * Waits (bounded) until the trace holds what `complete` looks for and no span waits for its parent
 * (parents end, and are exported, after their children); returns the trace either way, so the
 * assertions that follow say what is missing.
 */
async function settledTrace(traceId: string, complete: (spans: ReceivedSpan[]) => boolean) {
  try {
    await waitFor(
      () => {
        const spans = receiver.trace(traceId);
        return complete(spans) && orphans(spans).length === 0;
      },
      { timeoutMs: 30_000, what: `trace ${traceId} to be complete` },
    );
  } catch {
    // The assertions below name what is missing.
  }
  return receiver.trace(traceId);
}

function expectWellFormed(spans: ReceivedSpan[]) {
  expect(orphans(spans).map(describeSpan), 'spans whose parent is not in the trace').toEqual([]);
  expect(spans.filter((span) => span.parentSpanId === '').map(describeSpan)).toEqual([
    expect.stringContaining('gateway'),
  ]);
  for (const span of spans) {
    expect(span.service, describeSpan(span)).toMatch(
      /^(gateway|identity|students|catalog|ledger|loans|notifications)$/,
    );
    expect(span.resource['service.version'], describeSpan(span)).toEqual(expect.any(String));
    expect(span.resource['deployment.environment.name'], describeSpan(span)).toEqual(expect.any(String));
  }
}

/** The span in which `service` processed an event of `type` (the inbox), if it has arrived. */
const processing = (spans: ReceivedSpan[], service: PlatformService, type: string) =>
  spans.find(
    (span) =>
      span.service === service && span.kind === OtlpSpanKind.CONSUMER && span.name === `process ${type}`,
  );

/** The outbox publisher's span publishing `type` to the stream (once, whoever consumes it). */
const publishing = (spans: ReceivedSpan[], service: PlatformService, type: string) =>
  spans.find(
    (span) =>
      span.service === service &&
      span.kind === OtlpSpanKind.PRODUCER &&
      span.name === `publish ${type}` &&
      span.attributes['messaging.system'] === 'nats',
  );

describe('one trace per request, through the edge and the events it causes', () => {
  let adminToken: string;
  let agent: Person;
  let student: Person;
  let productId: string;
  beforeAll(async () => {
    adminToken = await signInAdmin(platform);
    agent = await approvedAgent(platform, adminToken);
    productId = await createProduct(platform, adminToken);
    student = await completeStudent(platform);
  }, 90_000);

  let loanId: string;
  it('follows the loan application from the edge to loans and its checks in catalog and students', async () => {
    const requestId = `trace-create-${randomUUID()}`;
    const response = await raiseLoan(
      platform,
      agent.token,
      { productId, studentId: student.id },
      { 'X-Request-ID': requestId },
    );
    expect(response.status, response.text).toBe(201);
    loanId = response.json.id;

    const traceId = await waitFor(() => traceOfRequest(requestId), {
      timeoutMs: 20_000,
      what: 'the edge span of the loan application',
    });
    const loansServer = (spans: ReceivedSpan[]) => answeredEdge(spans, 'loans');
    const callsFromLoans = (spans: ReceivedSpan[]) =>
      spans.filter((span) => span.service === 'loans' && isFetch(span) && span.kind === OtlpSpanKind.CLIENT);
    const spans = await settledTrace(traceId, (all) => {
      const calls = callsFromLoans(all);
      return (
        loansServer(all) !== undefined &&
        ['catalog', 'students'].every((name) =>
          calls.some((call) => serverSpanOf(call, all)?.service === name),
        ) &&
        processing(all, 'notifications', 'loan.created') !== undefined
      );
    });

    expectWellFormed(spans);
    const edge = spans.find((span) => span.parentSpanId === '') as ReceivedSpan;
    expect(edge.service).toBe('gateway');
    expect(edge.attributes['request.id']).toBe(requestId);
    const loans = loansServer(spans);
    expect(loans, 'loans answered the edge in this trace').toBeDefined();
    expect(isBelow(loans as ReceivedSpan, edge, spans)).toBe(true);
    expect(loans?.attributes['request.id']).toBe(requestId);
    for (const name of ['catalog', 'students']) {
      const call = callsFromLoans(spans).find((client) => serverSpanOf(client, spans)?.service === name);
      expect(call, `loans called ${name} in this trace`).toBeDefined();
      expect(isBelow(call as ReceivedSpan, loans as ReceivedSpan, spans)).toBe(true);
    }
    // The event the application caused continues the same trace in its consumer.
    const created = processing(spans, 'notifications', 'loan.created');
    expect(
      created && isBelow(created, publishing(spans, 'loans', 'loan.created') as ReceivedSpan, spans),
      'notifications processed loan.created in this trace',
    ).toBe(true);

    // Log lines join the trace: loans' access line for this request carries its ids.
    const line = (platform.process('loans')?.output() ?? '')
      .split('\n')
      .find((text) => text.includes(requestId) && text.includes('"trace_id"'));
    expect(line, 'a loans log line for the request').toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  }, 150_000);

  it('follows the approval through the disbursement saga: loans → ledger → loans and notifications', async () => {
    const requestId = `trace-approve-${randomUUID()}`;
    const approved = await platform.api('POST', `/loans/${loanId}/approve`, {
      token: adminToken,
      headers: { 'X-Request-ID': requestId },
      body: {},
    });
    expect(approved.status, approved.text).toBe(200);
    await waitForLoanStatus(platform, loanId, adminToken, 'DISBURSED');

    const traceId = await waitFor(() => traceOfRequest(requestId), {
      timeoutMs: 20_000,
      what: 'the edge span of the approval',
    });
    const spans = await settledTrace(
      traceId,
      (all) =>
        processing(all, 'loans', 'tranche.released') !== undefined &&
        processing(all, 'notifications', 'loan.approved') !== undefined &&
        processing(all, 'notifications', 'loan.disbursed') !== undefined,
    );

    expectWellFormed(spans);
    const edge = spans.find((span) => span.parentSpanId === '') as ReceivedSpan;
    const approval = answeredEdge(spans, 'loans');
    expect(approval && isBelow(approval, edge, spans), 'loans handled the approval in this trace').toBe(true);

    // loans' outbox publisher publishes the loan's release request in the approval's trace …
    const toLedger = publishing(spans, 'loans', 'tranche.releaseRequested');
    expect(
      toLedger && isBelow(toLedger, approval as ReceivedSpan, spans),
      'tranche.releaseRequested → ledger',
    ).toBe(true);
    // … the ledger processes it below that publish, with its queries below the processing …
    const ledgerProcessing = processing(spans, 'ledger', 'tranche.releaseRequested');
    expect(ledgerProcessing && isBelow(ledgerProcessing, toLedger as ReceivedSpan, spans)).toBe(true);
    const ledgerQueries = spans.filter(
      (span) =>
        span.service === 'ledger' && isDb(span) && isBelow(span, ledgerProcessing as ReceivedSpan, spans),
    );
    expect(ledgerQueries.length, 'the release transfer queries').toBeGreaterThan(0);
    // … and its tranche.released, published from there, reaches loans.
    const onward = publishing(spans, 'ledger', 'tranche.released');
    expect(
      onward && isBelow(onward, ledgerProcessing as ReceivedSpan, spans),
      'tranche.released → loans',
    ).toBe(true);
    const consumed = processing(spans, 'loans', 'tranche.released');
    expect(consumed && isBelow(consumed, onward as ReceivedSpan, spans), 'loans processed it').toBe(true);
    // loans learning DISBURSED tells notifications, still in the same trace.
    const disbursed = processing(spans, 'notifications', 'loan.disbursed');
    expect(disbursed && isBelow(disbursed, consumed as ReceivedSpan, spans)).toBe(true);

    // Some service logged inside this trace (the ledger's or loans' lines for their part of it).
    const logged = PLATFORM_SERVICES.some((name) =>
      (platform.process(name)?.output() ?? '')
        .split('\n')
        .some((text) => text.includes(`"trace_id":"${traceId}"`)),
    );
    expect(logged, 'a log line carries the trace id').toBe(true);
  }, 150_000);

  it('never exports a consent code or a stream ticket: URLs in spans are redacted', async () => {
    const code = `consent${randomUUID().replaceAll('-', '')}`;
    const ticket = `ticket${randomUUID().replaceAll('-', '')}`;
    const requestId = `trace-redact-${randomUUID()}`;
    const answer = await platform.api('GET', `/guarantor-consents/${code}`, {
      headers: { 'X-Request-ID': requestId },
    });
    expect(answer.status).toBe(404);
    await platform.api('GET', `/notifications/stream?ticket=${ticket}`, {});
    const traceId = await waitFor(() => traceOfRequest(requestId), {
      timeoutMs: 20_000,
      what: 'the consent span',
    });
    // The edge's span and loans' (server) span of the same request both arrived.
    await waitFor(
      () =>
        receiver.spans.filter((span) => span.traceId === traceId && span.kind === 2).length >= 2 || undefined,
      { timeoutMs: 20_000, what: "loans' span of the consent request" },
    );
    const leaked = receiver.spans.filter((span) =>
      JSON.stringify([span.name, span.attributes]).match(new RegExp(`${code}|${ticket}`)),
    );
    expect(leaked.map((span) => `${span.service} ${span.name} ${JSON.stringify(span.attributes)}`)).toEqual(
      [],
    );
  }, 60_000);

  it("leaves the outbox publishers' polling out of traces: no trace is a lone outbox query", () => {
    // By now every publisher has polled its outbox hundreds of times (every 50 ms here).
    const polls = receiver.spans.filter(
      (span) =>
        isDb(span) &&
        span.parentSpanId === '' &&
        /^select\b[\s\S]*`outbox(_deliveries)?`/i.test(String(span.attributes['db.query.text'] ?? '')),
    );
    expect(polls.slice(0, 5).map(describeSpan), `${polls.length} lone outbox queries`).toEqual([]);
  });
});
