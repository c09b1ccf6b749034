import { request } from 'node:http';
import { connect } from 'node:net';

/** What came back, read loosely: tests look at the status, the content type and the body. */
export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  json: any;
}

const parsed = (status: number, contentType: string, text: string): RawAnswer => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, contentType, text, json };
};

/**
 * A request whose path is sent exactly as written (fetch and URL would resolve `..` and `%2e%2e`
 * first, so a traversal would never leave the client).
 */
export function requestVerbatim(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Uint8Array,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve(
          parsed(
            response.statusCode ?? 0,
            String(response.headers['content-type'] ?? ''),
            Buffer.concat(chunks).toString('utf8'),
          ),
        ),
      );
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

/**
 * Bytes written to the edge's socket as they are, for what no HTTP client lets through (a bare CR in a
 * header value); the answer is read until the server closes the connection or goes quiet.
 */
export function exchangeBytes(baseUrl: string, bytes: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.end());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /^content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
      resolve(parsed(status, contentType, rest.join('\r\n\r\n')));
    });
    socket.write(bytes, 'latin1');
  });
}
