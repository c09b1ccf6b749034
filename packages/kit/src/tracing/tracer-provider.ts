/**
 * The tracing SDK a service runs, assembled from OpenTelemetry's trace
 * components and configured by the standard OTEL_* variables, instead of
 * @opentelemetry/sdk-node: that package also loads the metrics and logs SDKs,
 * nine exporters (gRPC among them) and a YAML configuration reader that the
 * services never use, which cost each process ~0.25 s of start-up and ~11 MB
 * (bench/results/2026-11-22T1623.md). Metrics go through prom-client and logs
 * through pino; only traces are exported.
 */
import { context, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

type Env = Record<string, string | undefined>;

const DEFAULT_RATIO = 0.1;

function ratioFrom(env: Env): number {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
  return env.OTEL_TRACES_SAMPLER_ARG !== undefined &&
    env.OTEL_TRACES_SAMPLER_ARG.trim() !== '' &&
    Number.isFinite(ratio) &&
    ratio >= 0 &&
    ratio <= 1
    ? ratio
    : DEFAULT_RATIO;
}

/**
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the specification names
 * them; unset or unknown means parent-based 10 % (what the services ship with).
 */
export function samplerFromEnv(env: Env = process.env): Sampler {
  const ratio = ratioFrom(env);
  switch (env.OTEL_TRACES_SAMPLER?.trim()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    default:
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

function numberFrom(env: Env, name: string): number | undefined {
  const value = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** OTEL_BSP_* as the specification names them (the processor's defaults where unset). */
export function batchSettingsFromEnv(env: Env = process.env): Record<string, number> {
  const settings = {
    scheduledDelayMillis: numberFrom(env, 'OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: numberFrom(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: numberFrom(env, 'OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: numberFrom(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(
    Object.entries(settings).filter((entry): entry is [string, number] => entry[1] !== undefined),
  );
}

/** OTEL_PROPAGATORS: `tracecontext` and `baggage` (the default is both; `none` turns them off). */
function propagatorFromEnv(env: Env): TextMapPropagator | undefined {
  const names = (env.OTEL_PROPAGATORS ?? 'tracecontext,baggage').split(',').map((name) => name.trim());
  if (names.includes('none')) return undefined;
  const propagators: TextMapPropagator[] = [];
  if (names.includes('tracecontext')) propagators.push(new W3CTraceContextPropagator());
  if (names.includes('baggage')) propagators.push(new W3CBaggagePropagator());
  return new CompositePropagator({ propagators });
}

/**
 * Registers the global tracer provider, context manager and propagator; spans
 * go in batches to the OTLP/HTTP endpoint the exporter reads from
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT. Returns the provider (to shut down).
 */
export function startTracerProvider(env: Env = process.env): TracerProvider {
  const provider = new TracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (resource.ts fills them in), the host and the process.
    resource: defaultResource().merge(
      detectResources({ detectors: [envDetector, hostDetector, processDetector] }),
    ),
    sampler: samplerFromEnv(env),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batchSettingsFromEnv(env) }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagator = propagatorFromEnv(env);
  if (propagator) propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  return provider;
}
