// A stand-in OTLP/HTTP collector: accepts every export and discards it, so that services run with
// tracing configured as shipped (the SDK is on only when an endpoint is set) and pay the full cost of
// sampling, batching and exporting, but nothing is stored.
import { createServer, type Server } from 'node:http';

export interface OtlpSink {
  /** Export requests and bytes received so far. */
  stats(): { exports: number; bytes: number };
  close(): Promise<void>;
}

export async function startOtlpSink(port: number): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server: Server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => {
      if (request.method === 'POST') exports += 1;
      // An empty ExportTraceServiceResponse is zero bytes in protobuf and `{}` in JSON.
      const json = request.headers['content-type']?.includes('json');
      response.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    stats: () => ({ exports, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
