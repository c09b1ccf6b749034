import { DomainError } from '@bonding/kit';
import type { LoansDeps } from '../deps.js';
import { advanceBusinessDate, calendarDate, currentBusinessDate } from './business-date.js';
import { type CobOutcome, runCloseOfBusiness } from './close-of-business.js';

/** At most this many business dates are closed by one request (ten years): a longer jump is several. */
export const MAX_DATES_PER_ADVANCE = 3_660;

type LendingDeps = Pick<LoansDeps, 'db' | 'logger' | 'now' | 'config' | 'loansMetrics'>;

/** Today's business date (the calendar date in BUSINESS_TIME_ZONE when none is kept yet). */
export function businessDate(deps: LendingDeps): Promise<string> {
  const now = deps.now();
  return currentBusinessDate(deps.db, calendarDate(now, deps.config.BUSINESS_TIME_ZONE), now);
}

/** Close of business for one date, counted in the metrics (a run that throws counts as aborted). */
async function closeDate(deps: LendingDeps, date: string): Promise<CobOutcome> {
  let outcome: CobOutcome;
  try {
    outcome = await runCloseOfBusiness(deps, date);
  } catch (error) {
    deps.loansMetrics.cobRuns.inc({ result: 'aborted' });
    throw error;
  }
  deps.loansMetrics.cobLoans.inc({ result: 'closed' }, outcome.loansProcessed);
  if (outcome.failures > 0) deps.loansMetrics.cobLoans.inc({ result: 'failed' }, outcome.failures);
  deps.loansMetrics.cobRunSeconds.observe(outcome.durationMs / 1000);
  deps.loansMetrics.cobRuns.inc({ result: outcome.failures > 0 ? 'with_failures' : 'completed' });
  return outcome;
}

/**
 * Moves the business date to `to`, closing each date it passes; answers the runs. A date whose run left
 * loans unclosed is not passed: the date stays on it (503 close_of_business_incomplete), so the next
 * attempt — the calendar follower's next check, or the admin's next request — closes just those loans
 * instead of leaving them a day short of interest.
 */
export async function moveBusinessDate(
  deps: LendingDeps,
  to: string,
): Promise<{ businessDate: string; closed: CobOutcome[] }> {
  const closed: CobOutcome[] = [];
  // On first use the date starts from today's calendar date, not from the one asked for.
  await businessDate(deps);
  const reached = await advanceBusinessDate(deps.db, to, deps.now, async (date) => {
    const outcome = await closeDate(deps, date);
    closed.push(outcome);
    if (outcome.failures > 0) {
      throw new DomainError(503, 'close_of_business_incomplete', 'Service Unavailable', {
        detail: `Close of business for ${date} failed for ${outcome.failures} item(s); the business date stays ${date} until a rerun closes them (see the logs).`,
        headers: { 'Retry-After': '60' },
        extensions: { businessDate: date, failures: outcome.failures, closed: closed.length - 1 },
      });
    }
  });
  return { businessDate: reached, closed };
}

/** Production's rhythm: the business date follows the calendar in BUSINESS_TIME_ZONE. */
export function followCalendar(deps: LendingDeps): Promise<unknown> {
  return moveBusinessDate(deps, calendarDate(deps.now(), deps.config.BUSINESS_TIME_ZONE));
}
