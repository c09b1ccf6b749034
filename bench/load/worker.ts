// The load generator: a process of its own (so that its CPU is not the measured service's), driven by
// a scenario file. It runs autocannon for the warm-up (discarded), then for the measured duration, and
// writes the result as JSON next to the scenario (<scenario.json>.result).
//   node --import tsx bench/load/worker.ts <scenario.json>
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon, { type AutocannonRequest } from 'autocannon';
import { memoryOf } from '../lib/machine.js';
import { emptyList, fileEntryWrites } from './file-entry-writes.js';
import { mintTokens } from './mint-tokens.js';
import {
  type Caller,
  expectedStatuses,
  type LoadPlan,
  type LoadResult,
  type LoadScenario,
} from './scenario.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

const pick = <T>(items: T[]): T => items[randomInt(items.length)] as T;

/** Another caller than `from` (callers are distinct students with a wallet each). */
function other(callers: Caller[], from: Caller): Caller {
  for (;;) {
    const to = pick(callers);
    if (to !== from) return to;
  }
}

function requestsFor(plan: LoadPlan): AutocannonRequest[] {
  switch (plan.kind) {
    case 'get': {
      const { callers } = plan;
      if (!callers) return [{ method: 'GET', path: plan.path }];
      return [
        {
          method: 'GET',
          path: plan.path,
          setupRequest: (request) => ({
            ...request,
            headers: { authorization: `Bearer ${pick(callers).token}` },
          }),
        },
      ];
    }
    case 'login':
      return [
        {
          method: 'POST',
          path: plan.path,
          setupRequest: (request) => ({
            ...request,
            headers: JSON_HEADERS,
            body: JSON.stringify(pick(plan.credentials)),
          }),
        },
      ];
    case 'transfer':
      return [
        {
          method: 'POST',
          path: plan.path,
          setupRequest: (request) => {
            const from = pick(plan.callers);
            const to = other(plan.callers, from);
            return {
              ...request,
              headers: {
                ...JSON_HEADERS,
                authorization: `Bearer ${from.token}`,
                'idempotency-key': randomUUID(),
              },
              body: JSON.stringify({
                fromAccountId: from.accountId,
                toAccountId: to.accountId,
                amount: 1 + randomInt(100),
                currency: plan.currency,
              }),
            };
          },
        },
      ];
    case 'get-fresh-tokens': {
      const tokens = mintTokens(plan.mint);
      let next = 0;
      return [
        {
          method: 'GET',
          path: plan.path,
          setupRequest: (request) => {
            // In order, round the list: with more tokens than the cache holds, each one has been evicted
            // by the time it comes round again.
            const token = tokens[next++ % tokens.length] as string;
            return { ...request, headers: { authorization: `Bearer ${token}` } };
          },
        },
      ];
    }
    case 'file-entry-writes':
      return fileEntryWrites(plan);
  }
}

/** One autocannon run of the plan, from a clean start where the plan keeps state between requests. */
async function load(scenario: LoadScenario, duration: number) {
  const { plan } = scenario;
  if (plan.kind === 'file-entry-writes') await emptyList(scenario.baseUrl, plan);
  return autocannon({
    url: scenario.baseUrl,
    connections: scenario.connections,
    timeout: 30,
    requests: requestsFor(plan),
    duration,
  });
}

async function run(scenario: LoadScenario): Promise<LoadResult> {
  if (scenario.warmupSeconds > 0) await load(scenario, scenario.warmupSeconds);
  const result = await load(scenario, scenario.durationSeconds);
  const expected = expectedStatuses(scenario.plan).map(String);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]),
  );
  const answered = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
  const unexpected = answered - expected.reduce((sum, code) => sum + (statusCodes[code] ?? 0), 0);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + unexpected,
    statusCodes,
    generatorPeakMB: memoryOf(process.pid)?.peakMB ?? 0,
  };
}

const file = process.argv[2];
if (!file) throw new Error('usage: worker.ts <scenario.json>');
const result = await run(JSON.parse(readFileSync(file, 'utf8')) as LoadScenario);
writeFileSync(`${file}.result`, JSON.stringify(result));
