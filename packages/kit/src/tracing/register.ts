/**
 * Loaded with `node --import @bonding/kit/tracing` before the service, so the
 * instrumentations patch http, fetch (undici) and mysql2 before anything imports
 * them. ES modules need the import-in-the-middle loader hook for that; it runs
 * as a synchronous hook on the main thread (module.registerHooks), not on a
 * loader thread of its own: that thread cost ~35 MB of RSS and ~0.7 s of
 * start-up per service (bench/results).
 *
 * Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific
 * endpoint) is set: spans cost real throughput (see STACK-NOTES), so a run
 * without a collector pays nothing. Sampling follows the standard
 * OTEL_TRACES_SAMPLER variables, defaulting to parent-based 10 %
 * (tracer-provider.ts).
 */
import { redactSpanUrls } from './redact.js';
import { describeServiceInEnv } from './resource.js';

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const disabled = process.env.OTEL_SDK_DISABLED === 'true';

if (endpoint && !disabled) {
  describeServiceInEnv();

  const [
    { startTracerProvider },
    { registerInstrumentations },
    { HttpInstrumentation },
    { UndiciInstrumentation },
    { MySQL2Instrumentation },
    { register: registerLoaderHooks },
  ] = await Promise.all([
    import('./tracer-provider.js'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-mysql2'),
    import('import-in-the-middle/register-hooks.mjs'),
  ]);

  const instrumentations = [
    new HttpInstrumentation({
      // Probes and scrapes (the gateway's on /status) are not worth a trace each.
      ignoreIncomingRequestHook: (request) => /^\/(livez|readyz|metrics|status)\b/.test(request.url ?? ''),
      // Consent codes and stream tickets never reach the collector (redact.ts).
      requestHook: (span) => redactSpanUrls(span as unknown as Parameters<typeof redactSpanUrls>[0]),
    }),
    new UndiciInstrumentation({
      requestHook: (span) => redactSpanUrls(span as unknown as Parameters<typeof redactSpanUrls>[0]),
    }),
    new MySQL2Instrumentation(),
  ];
  // Only the modules the instrumentations patch are wrapped; wrapping everything would also
  // wrap the service's own TypeScript, which the loader cannot do.
  registerLoaderHooks({
    include: instrumentations.flatMap((instrumentation) =>
      instrumentation.getModuleDefinitions().map((definition) => definition.name),
    ),
  });
  const provider = startTracerProvider();
  registerInstrumentations({ tracerProvider: provider, instrumentations });

  const flush = () => {
    provider.shutdown().catch(() => undefined);
  };
  process.once('beforeExit', flush);
}
