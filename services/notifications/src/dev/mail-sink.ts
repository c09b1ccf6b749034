import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server that accepts every message and hands it on — to a folder
 * of .eml files under `npm start`, to a list in tests. Never deployed: it has
 * no TLS and no authentication, and listens on loopback by default.
 */

export interface SinkMessage {
  from: string;
  to: string[];
  /** The message exactly as received (RFC 5322), as a mail client would save it. */
  raw: Buffer;
}

export interface MailSink {
  port: number;
  /** What SMTP_URL should be for a service sending here. */
  url: string;
  close(): Promise<void>;
}

/**
 * `accept` may throw to refuse a message; an error with a `responseCode`
 * (e.g. 451 for "try again later", 550 for "never") sets the SMTP reply.
 */
export async function startMailSink(options: {
  host?: string;
  port?: number;
  accept: (message: SinkMessage) => void | Promise<void>;
}): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    banner: 'Bonding Platform local mail sink',
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const envelope = session.envelope;
        const message: SinkMessage = {
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
        };
        Promise.resolve()
          .then(() => options.accept(message))
          .then(
            () => callback(),
            (error: Error) => callback(error),
          );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // smtp-server reports a client's connection errors (a sender killed mid-session: ECONNRESET) on the
  // server; unheard, they would throw in the process hosting the sink. The sender retries its mail.
  server.on('error', () => undefined);
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An `accept` that saves each message as `<time>-<random>.eml` in `dir`, for a person to open. */
export function saveToFolder(dir: string): (message: SinkMessage) => string {
  mkdirSync(dir, { recursive: true });
  return (message) => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(dir, `${stamp}-${randomBytes(3).toString('hex')}.eml`);
    writeFileSync(file, message.raw);
    return file;
  };
}
