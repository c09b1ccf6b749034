import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export interface PublicSigningKey {
  kid: string;
  pem: string;
}

export interface RenderOptions {
  /** The identity issuer's public keys: one jwt credential per kid. */
  keys: PublicSigningKey[];
  /** The consumer that holds the credentials (the issuer). */
  consumer?: string;
  /** Upstream URLs by Kong service name, e.g. for tests on free ports. */
  upstreams?: Record<string, string>;
  /** rate-limiting config fields by plugin tag, e.g. { 'limit-per-user': { minute: 100000 } }. */
  rateLimits?: Record<string, Record<string, number>>;
}

type Entity = Record<string, unknown>;

/** Reads `<kid>.pem` files (private or public RSA keys) and returns their public halves. */
export function publicKeysFromDir(dir: string): PublicSigningKey[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.pem'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const key = text.includes('PRIVATE KEY')
        ? createPublicKey(createPrivateKey(text))
        : createPublicKey(text);
      return {
        kid: file.slice(0, -'.pem'.length),
        pem: key.export({ type: 'spki', format: 'pem' }).toString(),
      };
    });
}

/** `name=value;name=value` (or commas) as a record. */
export function parsePairs(text: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of (text ?? '').split(/[;\n]/)) {
    const index = part.indexOf('=');
    if (index > 0) pairs[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return pairs;
}

/** `limit-per-user=second:1000,minute:60000;limit-sign-in=minute:5` as rate-limit overrides. */
export function parseRateLimits(text: string | undefined): Record<string, Record<string, number>> {
  const limits: Record<string, Record<string, number>> = {};
  for (const [tag, spec] of Object.entries(parsePairs(text))) {
    limits[tag] = Object.fromEntries(
      spec.split(',').map((field) => {
        const [period = '', value = ''] = field.split(':');
        const number = Number(value);
        if (!period || !Number.isInteger(number) || number <= 0)
          throw new Error(`rate limit ${tag}: bad field ${field}`);
        return [period.trim(), number];
      }),
    );
  }
  return limits;
}

function pluginsIn(config: Entity): Entity[] {
  const services = (config.services as Entity[] | undefined) ?? [];
  return [
    ...((config.plugins as Entity[] | undefined) ?? []),
    ...services.flatMap((s) => [
      ...((s.plugins as Entity[] | undefined) ?? []),
      ...((s.routes as Entity[] | undefined) ?? []).flatMap((r) => (r.plugins as Entity[] | undefined) ?? []),
    ]),
  ];
}

/**
 * Turns the key-free kong/kong.yml into the file Kong or the gateway loads:
 * adds a jwt credential per signing key, and applies environment overrides.
 */
export function renderKongConfig(template: string, options: RenderOptions): string {
  const config = parse(template) as Entity;
  if (options.keys.length === 0)
    throw new Error('no public keys to render: the edge could not verify any token');
  const consumerName = options.consumer ?? 'bonding-identity';
  const consumers = (config.consumers as Entity[] | undefined) ?? [];
  const consumer = consumers.find((c) => c.username === consumerName);
  if (!consumer) throw new Error(`kong.yml has no consumer ${consumerName}`);
  consumer.jwt_secrets = options.keys.map((key) => ({
    key: key.kid,
    algorithm: 'RS256',
    rsa_public_key: key.pem,
    // Unused by RS256 (Kong checks the token's alg against the credential's, so an HS256 token never
    // reaches it). Kong generates one when it is omitted; decK's file schema requires it, so the render
    // writes a random one, as Kong would, rather than leave `deck file validate` failing.
    secret: randomBytes(32).toString('base64url'),
  }));

  for (const [name, url] of Object.entries(options.upstreams ?? {})) {
    const service = ((config.services as Entity[] | undefined) ?? []).find((s) => s.name === name);
    if (!service) throw new Error(`upstream override for unknown service ${name}`);
    service.url = url;
  }

  const limits = options.rateLimits ?? {};
  const applied = new Set<string>();
  for (const plugin of pluginsIn(config)) {
    if (plugin.name !== 'rate-limiting') continue;
    for (const tag of (plugin.tags as string[] | undefined) ?? []) {
      const override = limits[tag];
      if (!override) continue;
      // Replacing the periods, not merging: a longer period may not carry a smaller limit.
      const current = { ...(plugin.config as Entity) };
      for (const period of ['second', 'minute', 'hour', 'day', 'month', 'year']) delete current[period];
      plugin.config = { ...current, ...override };
      applied.add(tag);
    }
  }
  for (const tag of Object.keys(limits))
    if (!applied.has(tag)) throw new Error(`no rate-limiting plugin is tagged ${tag}`);

  const header = '# Rendered from kong/kong.yml by kong/render.ts: do not edit; holds public keys only.\n';
  return header + stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}
