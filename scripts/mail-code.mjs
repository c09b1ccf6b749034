#!/usr/bin/env node
// Prints the one-time code (`ev_…` e-mail verification, `pr_…` password reset, `ec_…` e-mail change) from
// the newest e-mail to an address that holds one, as `npm start`'s mail sink saved it (.eml files in
// .local/mail/, or MAIL_DIR). E-mail bodies are quoted-printable, so a long code may be split over two
// lines by a soft line break; the message is decoded before the code is looked for. Waits up to 30 s for
// the e-mail, which is sent asynchronously (identity's event, then notifications' mail relay).
//
//   node scripts/mail-code.mjs amina@example.mw ev
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [address, prefix = 'ev'] = process.argv.slice(2);
if (!address) {
  process.stderr.write('usage: node scripts/mail-code.mjs <e-mail address> [ev|pr|ec]\n');
  process.exit(2);
}
const dir = process.env.MAIL_DIR || join('.local', 'mail');
const codePattern = new RegExp(`\\b${prefix}_[A-Za-z0-9_-]{43}`);

const decodeQuotedPrintable = (text) =>
  text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16)));

function newestCode() {
  let files = [];
  try {
    // The sink names files by the time they arrived, so name order is arrival order.
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .reverse();
  } catch {
    return undefined;
  }
  for (const name of files) {
    const message = decodeQuotedPrintable(readFileSync(join(dir, name), 'latin1'));
    const headers = message.slice(0, message.search(/\r?\n\r?\n/));
    if (!new RegExp(`^To:.*${address.replace(/[.+]/g, '\\$&')}`, 'im').test(headers)) continue;
    const code = codePattern.exec(message)?.[0];
    if (code) return code;
  }
  return undefined;
}

const deadline = Date.now() + 30_000;
for (;;) {
  const code = newestCode();
  if (code) {
    process.stdout.write(`${code}\n`);
    break;
  }
  if (Date.now() > deadline) {
    process.stderr.write(`no e-mail to ${address} with a ${prefix}_ code in ${dir}\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
