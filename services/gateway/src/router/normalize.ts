/**
 * Kong's path normalisation before routing (K tools/uri.lua): percent-encodings
 * are decoded except reserved characters (kept, hex upper-cased), dot segments
 * are resolved and repeated slashes merged — so `..` or `%2e%2e` can never reach
 * a route the plain path would not match.
 */
const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split(''));

export class InvalidPath extends Error {}

function decodeUnreserved(path: string): string {
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < path.length; i++) {
    const char = path[i] as string;
    if (char === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new InvalidPath(`bad percent-encoding in ${path}`);
      const code = Number.parseInt(hex, 16);
      const decoded = String.fromCharCode(code);
      if (code < 0x80 && RESERVED.has(decoded)) {
        flush();
        out += `%${hex.toUpperCase()}`;
      } else {
        bytes.push(code);
      }
      i += 2;
    } else {
      flush();
      out += char;
    }
  }
  flush();
  return out;
}

function resolveDotSegments(path: string): string {
  const segments = path.split('/');
  const output: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && output.length > 1) output.pop();
      if (last) output.push('');
      continue;
    }
    if (segment === '' && i > 0 && !last) continue; // merges '//'
    output.push(segment);
  }
  const joined = output.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

/** Normalises the path part of a request target (the query is dropped by the caller). */
export function normalizePath(rawPath: string): string {
  return resolveDotSegments(decodeUnreserved(rawPath));
}

/**
 * Escapes a normalised path again for the upstream request line. The `u` flag matters: without it a
 * character outside the BMP (an emoji, `%F0%9D%92%B2`) is seen as two lone surrogates, which
 * encodeURIComponent refuses with a URIError — a 500 at the edge for a path any client can send.
 */
export function escapePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (char) => encodeURIComponent(char));
}
