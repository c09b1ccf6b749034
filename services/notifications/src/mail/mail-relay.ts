import { type Logger, retryDelayMs } from '@bonding/kit';
import type { Kysely } from 'kysely';
import { findDirectoryEntry } from '../db/directory.js';
import { claimDueMails, recordMailOutcome } from '../db/mail-outbox.js';
import type { MailRow, NotificationsDatabase } from '../db/schema.js';
import { type MailParams, type RenderedMail, renderMail } from '../domain/mail-templates.js';
import type { NotificationMetrics } from '../metrics.js';
import { classifyMailError, type Mailer, type MailFailure } from './smtp-mailer.js';

export interface MailRelaySettings {
  pollIntervalMs: number;
  concurrency: number;
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** One attempt's bound; the lease outlives it, so a live replica never loses its claim. */
  sendTimeoutMs: number;
}

export interface MailRelayOptions {
  db: Kysely<NotificationsDatabase>;
  mailer: Mailer;
  logger: Logger;
  metrics: NotificationMetrics;
  settings: MailRelaySettings;
  /** The domain of Message-IDs: `<mail id@domain>`, the same on every attempt, so receivers can drop repeats. */
  messageIdDomain: string;
}

/**
 * Sends the mail outbox: claims due mails (safe with many replicas), renders
 * each for its recipient as the directory knows them now, and records the
 * outcome. Failures back off exponentially; a permanent refusal, or too many
 * attempts, makes the mail a dead letter. Logs carry ids and codes, never an
 * address, a name or a server's text.
 */
export class MailRelay {
  readonly #options: MailRelayOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #again = false;

  constructor(options: MailRelayOptions) {
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.wake();
  }

  /** Looks for work now (a new mail was queued on this replica). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      const delay = this.#again ? 0 : this.#options.settings.pollIntervalMs;
      this.#again = false;
      this.#timer = setTimeout(() => this.wake(), delay);
    });
  }

  /** Stops claiming; the sends in flight finish (each is bounded by its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    const { db, logger, settings } = this.#options;
    try {
      const claimed = await claimDueMails(db, {
        limit: settings.concurrency,
        // Three timeouts (connect, greeting, socket) plus a margin: longer than any one attempt takes.
        leaseMs: settings.sendTimeoutMs * 3 + 15_000,
      });
      await Promise.all(claimed.map((mail) => this.#deliver(mail)));
      // A full batch suggests more is due.
      if (claimed.length === settings.concurrency) this.#again = true;
    } catch (error) {
      logger.error({ errorCode: (error as { code?: string }).code }, 'mail relay pass failed; will retry');
    }
  }

  async #deliver(mail: MailRow): Promise<void> {
    const log = { mailId: mail.id, userId: mail.user_id, template: mail.template, attempt: mail.attempts };
    try {
      const failure = await this.#send(mail);
      if (failure) await this.#recordFailure(mail, failure, log);
      else {
        await recordMailOutcome(this.#options.db, mail, { status: 'sent' });
        this.#options.metrics.mailsSent.inc({ template: mail.template });
        this.#options.logger.info(log, 'mail sent');
      }
    } catch (error) {
      // Recording failed (database away): the lease lapses and the mail is tried again.
      this.#options.logger.error(
        { ...log, errorCode: (error as { code?: string }).code },
        'mail outcome not recorded',
      );
    }
  }

  /** One attempt; undefined when the server accepted the mail. */
  async #send(mail: MailRow): Promise<MailFailure | undefined> {
    const recipient = await findDirectoryEntry(this.#options.db, mail.user_id);
    // The directory has not heard of the user (yet): their user.registered may still be on its way.
    if (!recipient) return { permanent: false, reason: 'recipient_unknown' };
    let rendered: RenderedMail;
    try {
      const params = JSON.parse(mail.params) as MailParams;
      rendered = renderMail(params, {
        // Mails about an e-mail change go to the address they name, not the one the directory holds.
        email: 'toAddress' in params ? params.toAddress : recipient.email,
        // A guarantor's mail is filed under the student but greets the guarantor, whom no directory knows.
        firstName: 'toFirstName' in params ? params.toFirstName : recipient.first_name,
        lastName: 'toLastName' in params ? params.toLastName : recipient.last_name,
      });
    } catch {
      return { permanent: true, reason: 'render_failed' };
    }
    try {
      await this.#options.mailer.send({
        ...rendered,
        messageId: `<${mail.id}@${this.#options.messageIdDomain}>`,
      });
      return undefined;
    } catch (error) {
      return classifyMailError(error);
    }
  }

  async #recordFailure(mail: MailRow, failure: MailFailure, log: Record<string, unknown>): Promise<void> {
    const { db, logger, metrics, settings } = this.#options;
    metrics.mailFailures.inc({ template: mail.template, kind: failure.permanent ? 'rejected' : 'retried' });
    if (failure.permanent || mail.attempts >= settings.maxAttempts) {
      const error = failure.permanent
        ? `rejected: ${failure.reason}`
        : `gave up after ${mail.attempts} attempts: ${failure.reason}`;
      if (await recordMailOutcome(db, mail, { status: 'dead', error })) {
        metrics.mailsDeadLettered.inc({ template: mail.template });
        logger.error({ ...log, reason: failure.reason }, 'mail dead-lettered');
      }
      return;
    }
    const retryInMs = retryDelayMs(mail.attempts, { baseMs: settings.baseMs, maxMs: settings.maxMs });
    await recordMailOutcome(db, mail, { status: 'pending', retryInMs, error: failure.reason });
    logger.warn({ ...log, reason: failure.reason, retryInMs }, 'mail not sent; will retry');
  }
}
