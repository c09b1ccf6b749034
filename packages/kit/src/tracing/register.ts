/**
 * Loaded with `node --import @bonding/kit/tracing` before the service, so the
 * instrumentations patch http, fetch (undici) and mysql2 before anything imports
 * them. ES modules need the import-in-the-middle loader hook for that.
 *
 * Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific
 * endpoint) is set: spans cost real throughput (see STACK-NOTES), so a run
 * without a collector pays nothing. Sampling follows the standard
 * OTEL_TRACES_SAMPLER variables, defaulting to parent-based 10 %.
 */
import { register } from 'node:module';
import { describeServiceInEnv } from './resource.js';

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const disabled = process.env.OTEL_SDK_DISABLED === 'true';

if (endpoint && !disabled) {
  // Only the modules the instrumentations ask for are wrapped; wrapping everything would also
  // wrap the service's own TypeScript, which the loader cannot do.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  process.env.OTEL_TRACES_SAMPLER ??= 'parentbased_traceidratio';
  process.env.OTEL_TRACES_SAMPLER_ARG ??= '0.1';
  // Metrics go through prom-client and logs through pino; the SDK exports traces only.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  describeServiceInEnv();

  const [
    { NodeSDK },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    { UndiciInstrumentation },
    { MySQL2Instrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-mysql2'),
  ]);

  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes (the gateway's on /status) are not worth a trace each.
        ignoreIncomingRequestHook: (request) => /^\/(livez|readyz|metrics|status)\b/.test(request.url ?? ''),
      }),
      new UndiciInstrumentation(),
      new MySQL2Instrumentation(),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();

  const flush = () => {
    sdk.shutdown().catch(() => undefined);
  };
  process.once('beforeExit', flush);
}
