import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok } from '@bonding/sdk';
import { waitFor } from '@bonding/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '../../scripts/lib/processes.js';
import { ensureShellTools } from '../../scripts/lib/shell-tools.js';
import { repoRoot } from '../../services/gateway/test/edge.js';
import {
  type MailSink,
  saveToFolder,
  startMailSink,
} from '../../services/notifications/src/dev/mail-sink.js';
import { clientOf, completeStudent, signInAdmin } from './journeys.js';
import { PLATFORM_ADMIN, PLATFORM_SERVICES, type Platform, startPlatform } from './platform.js';
import {
  README_MAX_BYTES,
  README_PATH,
  readmeScript,
  runnableBlocks,
  SDK_EXAMPLE_PATH,
  typescriptBlocks,
} from './readme-blocks.js';

/**
 * The README's first walk through the API, run as written against a fresh platform behind the edge, with
 * e-mail saved to a folder as npm start saves it and the demo products seeded, and its SDK example run as
 * written: the document cannot drift from the API without this failing.
 */
let platform: Platform;
let sink: MailSink;
const mailDir = mkdtempSync(join(tmpdir(), 'bonding-readme-mail-'));

beforeAll(async () => {
  ensureShellTools(['curl', 'jq']);
  const save = saveToFolder(mailDir);
  sink = await startMailSink({
    accept: (message) => {
      save(message);
    },
  });
  platform = await startPlatform({
    name: 'readme',
    services: PLATFORM_SERVICES,
    env: { notifications: { SMTP_URL: sink.url, MAIL_POLL_INTERVAL_MS: '100' } },
  });
  const seeded = await runCaptured(process.execPath, ['--import', 'tsx', 'src/seed.ts'], {
    cwd: join(repoRoot, 'services', 'catalog'),
    env: { ...process.env, MYSQL_URL: platform.databaseUrl('catalog') },
  });
  if (seeded.exit.code !== 0) throw new Error(`catalog seed failed:\n${seeded.output}`);
}, 240_000);

afterAll(async () => {
  await platform?.close();
  await sink?.close();
});

/** A running process whose output (stdout and stderr) is collected, to wait for what it prints. */
function runNode(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    exited,
    output: () => output,
    kill: () => child.kill('SIGKILL'),
  };
}

function runBash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the README', () => {
  it(`stays short enough to read in five minutes (at most ${README_MAX_BYTES} bytes)`, () => {
    expect(statSync(README_PATH).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('links only to files that exist', () => {
    const links = [...readFileSync(README_PATH, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map(([, target]) => target as string)
      .filter((target) => !/^[a-z]+:/.test(target));
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((target) => !existsSync(join(repoRoot, target)))).toEqual([]);
  });

  it('has runnable examples', () => {
    expect(runnableBlocks(readFileSync(README_PATH, 'utf8')).length).toBeGreaterThanOrEqual(5);
  });

  it('walks every role through its core journey with the examples as written', async () => {
    const { code, output } = await runBash(readmeScript(), {
      ...process.env,
      API: `${platform.edge}/api/v1`,
      MAIL_DIR: mailDir,
      ADMIN_EMAIL: PLATFORM_ADMIN.email,
      ADMIN_PASSWORD: PLATFORM_ADMIN.password,
    });
    expect(code, output).toBe(0);
    // What the walk prints: an admin created, the agent approved, the loan approved and paid out, and after
    // the first repayment the loan still being repaid.
    for (const shown of ['"admin"', '"active"', '"APPROVED"', '"status": "DISBURSED"', '"outstanding"'])
      expect(output).toContain(shown);
    // The student loan: both terms paid out on their dates, interest capitalised when repayment started.
    expect(output).toMatch(/"termLabel":"Semester 1","status":"RELEASED"/);
    expect(output).toMatch(/"termLabel":"Semester 2","status":"RELEASED"/);
    expect(output).toContain('"kind":"interest_capitalised"');
  }, 180_000);

  it('shows the SDK example as the file that runs', () => {
    expect(typescriptBlocks(readFileSync(README_PATH, 'utf8'))).toEqual([
      readFileSync(SDK_EXAMPLE_PATH, 'utf8'),
    ]);
  });

  it('runs the SDK example as written: a student applies and follows the loan until approval pays it out', async () => {
    const student = await completeStudent(platform);
    const admin = clientOf(platform, await signInAdmin(platform));
    const products = await ok(admin.api.GET('/api/v1/products', { params: { query: { limit: 100 } } }));
    const product = products.items.find((item) => item.code === 'UPKEEP-UG');
    const example = runNode(['--import', 'tsx', SDK_EXAMPLE_PATH], {
      ...process.env,
      EDGE: platform.edge,
      EMAIL: student.email,
      PASSWORD: student.password,
      PRODUCT: product?.id,
    });
    try {
      // It prints the loan it applied for, then waits for its disbursement: the admin approves it meanwhile.
      const applied = await waitFor(
        () => {
          const printed = /^(\S+) NEW$/m.exec(example.output())?.[1];
          if (printed === undefined) throw new Error(`so far it printed: ${example.output() || 'nothing'}`);
          return printed;
        },
        { timeoutMs: 30_000, what: 'the example to apply for a loan' },
      );
      await ok(admin.api.POST('/api/v1/loans/{id}/approve', { params: { path: { id: applied } }, body: {} }));
      const code = await Promise.race([
        example.exited,
        new Promise((resolve) => setTimeout(resolve, 45_000, 'still running after 45 s')),
      ]);
      expect(code, example.output()).toBe(0);
      expect(example.output()).toContain(`${applied} DISBURSED`);
    } finally {
      example.kill();
    }
  }, 120_000);
});
