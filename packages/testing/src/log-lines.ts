import { Writable } from 'node:stream';

/** A destination for a JSON logger that keeps every line parsed, so tests can assert on logs. */
export function collectLogLines(): { destination: Writable; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { destination, lines };
}
