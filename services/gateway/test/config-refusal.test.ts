import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayConfigError, loadDeclarativeConfig } from '../src/declarative/load.js';
import { escapePath, normalizePath } from '../src/router/normalize.js';
import { gatewayDir } from './edge.js';

const service = (routes: string, plugins = '') => `
_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:1
    routes:
${routes}
${plugins}
`;

function problemsOf(text: string): string[] {
  try {
    loadDeclarativeConfig(text);
  } catch (error) {
    if (error instanceof GatewayConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loading kong.yml', () => {
  it('refuses a plugin it does not implement', () => {
    const problems = problemsOf(service('      - { name: r, paths: [/a] }', 'plugins:\n  - name: key-auth'));
    expect(problems.join('\n')).toMatch(/plugins\.0\.name: unknown plugin key-auth/);
  });

  it('refuses a plugin field it does not implement', () => {
    const problems = problemsOf(
      service(
        '      - { name: r, paths: [/a] }',
        'plugins:\n  - name: rate-limiting\n    config: { minute: 5, policy: local, sync_rate: 1 }',
      ),
    );
    expect(problems.join('\n')).toMatch(/plugins\[0\]\.config: not supported: sync_rate/);
  });

  it('refuses an unknown route field and a duplicate route', () => {
    expect(problemsOf(service('      - { name: r, paths: [/a], hosts: [x.test] }')).join('\n')).toMatch(
      /not supported: hosts/,
    );
    expect(
      problemsOf(service('      - { name: r, paths: [/a] }\n      - { name: r2, paths: [/a] }')).join('\n'),
    ).toMatch(/\* \/a is already matched by route r/);
    expect(
      problemsOf(service('      - { name: r, paths: [/a] }\n      - { name: r, paths: [/b] }')).join('\n'),
    ).toMatch(/duplicate route name r/);
  });

  it('refuses rate limits where a longer period allows less', () => {
    const problems = problemsOf(
      service(
        '      - { name: r, paths: [/a] }',
        'plugins:\n  - name: rate-limiting\n    config: { second: 10, minute: 5 }',
      ),
    );
    expect(problems.join('\n')).toMatch(/minute: must not be smaller than second/);
  });

  it('refuses a limit by header that names no header, as Kong does', () => {
    const problems = problemsOf(
      service(
        '      - { name: r, paths: [/a] }',
        'plugins:\n  - name: rate-limiting\n    config: { minute: 5, limit_by: header }',
      ),
    );
    expect(problems.join('\n')).toMatch(/header_name: required when limit_by is header/);
  });

  it('accepts the shape of the repository kong.yml', () => {
    expect(
      problemsOf(service('      - { name: r, paths: [/a], methods: [GET], strip_path: false }')),
    ).toEqual([]);
  });

  it('makes the gateway process refuse to start, naming the problem', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bonding-kong-')), 'kong.yml');
    writeFileSync(file, service('      - { name: r, paths: [/a] }', 'plugins:\n  - name: bot-detection'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: gatewayDir,
      env: { ...process.env, GATEWAY_CONFIG: file, PORT: '0', STATUS_PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the gateway cannot run this configuration');
    expect(result.stderr).toContain('unknown plugin bot-detection');
  });
});

describe("Kong's path normalisation", () => {
  it.each([
    ['/t/Abc%20123%C3%B8%2f/parent/..//test/./', '/t/Abc 123ø%2F/test/'],
    ['/a/./b/../c', '/a/c'],
    ['/a/%2e%2e/b', '/b'],
    ['//a///b', '/a/b'],
    ['/../../etc', '/etc'],
    ['/api/v1/%75sers', '/api/v1/users'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  it('escapes characters beyond the BMP again for the upstream, whole', () => {
    expect(escapePath(normalizePath('/p/%F0%9D%92%B2%C3%A9'))).toBe('/p/%F0%9D%92%B2%C3%A9');
  });
});
