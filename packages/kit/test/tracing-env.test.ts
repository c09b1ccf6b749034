import { describe, expect, it } from 'vitest';
import { batchSettingsFromEnv, samplerFromEnv } from '../src/tracing/tracer-provider.js';

describe('the tracing SDK configured by OTEL_* variables', () => {
  it.each([
    [{}, 'ParentBased{root=TraceIdRatioBased{0.1}'],
    [{ OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'ParentBased{root=TraceIdRatioBased{0.25}'],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, 'AlwaysOnSampler'],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'AlwaysOffSampler'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, 'TraceIdRatioBased{0.5}'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, 'ParentBased{root=AlwaysOnSampler'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, 'ParentBased{root=AlwaysOffSampler'],
    // Out of range or unknown: the shipped default, never "sample everything" by mistake.
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' }, 'TraceIdRatioBased{0.1}'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'ParentBased{root=TraceIdRatioBased{0.1}'],
  ])('samples as %j says', (env, described) => {
    expect(samplerFromEnv(env).toString()).toContain(described);
  });

  it('batches as OTEL_BSP_* say, leaving the rest to the processor', () => {
    expect(batchSettingsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_MAX_QUEUE_SIZE: 'lots' })).toEqual(
      {
        scheduledDelayMillis: 100,
      },
    );
  });
});
