import { loadConfig, runService } from '@bonding/kit';
import { createNotificationsApp } from './app.js';
import { buildNotificationsDeps } from './build-deps.js';
import { notificationsConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig(notificationsConfigSchema);
const { deps, core, closeMailer } = buildNotificationsDeps(config);

deps.streams.start();
deps.mail?.start();
deps.housekeeping.start();
await runService({
  config,
  core,
  migrations,
  service: createNotificationsApp(deps),
  async prepare() {
    if (!deps.mail)
      deps.logger.warn('SMTP_URL is not set: e-mails are queued in mail_outbox and sent once it is');
  },
  // Streams end, mail in flight finishes and purges stop before the events runtime and the pool.
  background: [deps.streams, ...(deps.mail ? [deps.mail] : []), deps.housekeeping],
  cleanups: [closeMailer],
});
