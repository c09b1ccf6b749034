import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The kit is not a dependency of the scripts; its event settings parser is imported from source.
import { parseConfig } from '../../packages/kit/src/config.js';
import { eventConfigSchema as schema } from '../../packages/kit/src/events/config.js';
import { eventEnv } from '../lib/event-env.js';

const tmp = mkdtempSync(join(tmpdir(), 'bonding-event-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const specs = [
  { name: 'identity', port: 3001 },
  { name: 'students', port: 3002, consumes: ['user.registered', 'user.updated', 'user.disabled'] },
  { name: 'notifications', port: 3006, consumes: ['user.*', 'agent.approved', 'loan.*'] },
  { name: 'docs', port: 3010, database: false },
  { name: 'gateway', port: 8000, database: false, edge: true },
];

describe('the local event environment', () => {
  it('names what each service consumes, with a secret for each peer', () => {
    const file = join(tmp, 'secrets.json');
    const env = eventEnv(specs[0] as (typeof specs)[number], specs, file);
    const config = parseConfig(schema, env);
    expect(config.EVENT_SUBSCRIPTIONS).toEqual([]);
    expect(Object.keys(config.INTERNAL_PEER_SECRETS).sort()).toEqual(['notifications', 'students']);
    expect(config.INTERNAL_SECRETS).toHaveLength(1);
    // The secret identity accepts is the one every other service holds for it.
    const students = parseConfig(schema, eventEnv(specs[1] as (typeof specs)[number], specs, file));
    expect(students.INTERNAL_PEER_SECRETS.identity).toBe(config.INTERNAL_SECRETS[0]);
    expect(students.EVENT_SUBSCRIPTIONS).toEqual(['user.registered', 'user.updated', 'user.disabled']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the secrets across runs and gives the gateway and static services nothing', () => {
    const file = join(tmp, 'kept.json');
    const first = eventEnv(specs[0] as (typeof specs)[number], specs, file);
    const saved = readFileSync(file, 'utf8');
    expect(eventEnv(specs[0] as (typeof specs)[number], specs, file)).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(saved);
    expect(eventEnv(specs[3] as (typeof specs)[number], specs, file)).toEqual({});
    expect(eventEnv(specs[4] as (typeof specs)[number], specs, file)).toEqual({});
  });

  it('is valid with no consumers at all (identity alone)', () => {
    const alone = [{ name: 'identity', port: 3001 }];
    const env = eventEnv(alone[0] as (typeof alone)[number], alone, join(tmp, 'alone.json'));
    expect(env.EVENT_SUBSCRIPTIONS).toBe('');
    expect(parseConfig(schema, env).EVENT_SUBSCRIPTIONS).toEqual([]);
  });
});
