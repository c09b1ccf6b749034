import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeServiceInEnv } from '../src/tracing/resource.js';

function serviceDir(pkg: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'bonding-resource-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  return dir;
}

describe('the tracing resource of a service', () => {
  it('names the service, its version and environment from its package and NODE_ENV', () => {
    const env: Record<string, string | undefined> = { NODE_ENV: 'production' };
    describeServiceInEnv(env, serviceDir({ name: '@bonding/loans', version: '1.2.3' }));
    expect(env.OTEL_SERVICE_NAME).toBe('loans');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe('service.version=1.2.3,deployment.environment.name=production');
  });

  it("prefers the image's SERVICE_VERSION over the package's", () => {
    const env: Record<string, string | undefined> = { SERVICE_VERSION: '2.0.0+build.7' };
    describeServiceInEnv(env, serviceDir({ name: '@bonding/ledger', version: '0.1.0' }));
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(
      'service.version=2.0.0%2Bbuild.7,deployment.environment.name=development',
    );
  });

  it('keeps what the operator set and adds only what is missing', () => {
    const env: Record<string, string | undefined> = {
      NODE_ENV: 'production',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=edge-a,deployment.environment.name=staging',
    };
    describeServiceInEnv(env, serviceDir({ name: '@bonding/gateway', version: '0.1.0' }));
    expect(env.OTEL_SERVICE_NAME).toBeUndefined();
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(
      'service.name=edge-a,deployment.environment.name=staging,service.version=0.1.0',
    );
    const named: Record<string, string | undefined> = { OTEL_SERVICE_NAME: 'custom' };
    describeServiceInEnv(named, serviceDir({ name: '@bonding/catalog', version: '0.1.0' }));
    expect(named.OTEL_SERVICE_NAME).toBe('custom');
  });
});
