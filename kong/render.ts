/**
 * Renders kong/kong.yml into the file Kong (DB-less) or the local gateway loads.
 *
 *   node --import tsx kong/render.ts --keys-dir .local/keys --out .local/kong/kong.yml
 *
 * Options (each also from the environment):
 *   --keys-dir DIR    <kid>.pem RSA keys, private or public (JWT_KEYS_DIR)
 *   --out FILE        where to write (EDGE_CONFIG_OUT; default .local/kong/kong.yml)
 *   --upstreams SPEC  identity=http://host:port;... (EDGE_UPSTREAMS)
 *   --rate-limits SPEC  limit-per-user=second:100,minute:6000;limit-sign-in=minute:20 (EDGE_RATE_LIMITS)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  parsePairs,
  parseRateLimits,
  publicKeysFromDir,
  renderKongConfig,
} from '../services/gateway/src/declarative/render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'keys-dir': { type: 'string', default: process.env.JWT_KEYS_DIR ?? join(root, '.local', 'keys') },
    out: { type: 'string', default: process.env.EDGE_CONFIG_OUT ?? join(root, '.local', 'kong', 'kong.yml') },
    upstreams: { type: 'string', default: process.env.EDGE_UPSTREAMS ?? '' },
    'rate-limits': { type: 'string', default: process.env.EDGE_RATE_LIMITS ?? '' },
  },
});

try {
  const rendered = renderKongConfig(readFileSync(join(root, 'kong', 'kong.yml'), 'utf8'), {
    keys: publicKeysFromDir(values['keys-dir']),
    upstreams: parsePairs(values.upstreams),
    rateLimits: parseRateLimits(values['rate-limits']),
  });
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, rendered);
  process.stdout.write(`kong: rendered ${values.out}\n`);
} catch (error) {
  process.stderr.write(`kong: render failed: ${(error as Error).message}\n`);
  process.exit(1);
}
