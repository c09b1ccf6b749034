import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { RenderedMail } from '../domain/mail-templates.js';

/** Sends one rendered e-mail; throws a MailFailure-shaped error when it was not accepted. */
export interface Mailer {
  send(mail: RenderedMail & { messageId: string }): Promise<void>;
  close(): void;
}

export interface MailFailure {
  /** The server refused this message for good (5xx to the envelope or the message): do not retry. */
  permanent: boolean;
  /** Codes only, e.g. `ECONNECTION` or `EENVELOPE 550`: never the server's text, which may quote the address. */
  reason: string;
}

/** SMTP through nodemailer: one connection per message, every phase bounded by `timeoutMs`. */
export function createSmtpMailer(options: { url: string; from: string; timeoutMs: number }): Mailer {
  const settings: SMTPTransport.Options = {
    url: options.url,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // nodemailer logs nothing by itself; the relay logs outcomes by id.
    logger: false,
  };
  const transport = nodemailer.createTransport(settings);
  return {
    async send(mail) {
      await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    close() {
      transport.close();
    },
  };
}

const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

/** What a failed attempt means: a 5xx refusal of this message is final; the rest (network, 4xx, auth) is retried. */
export function classifyMailError(error: unknown): MailFailure {
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const name = typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code) ? code : 'ERROR';
  const status = typeof responseCode === 'number' ? responseCode : undefined;
  return {
    permanent: status !== undefined && status >= 500 && status < 600 && PERMANENT_CODES.has(name),
    reason: status === undefined ? name : `${name} ${status}`,
  };
}
