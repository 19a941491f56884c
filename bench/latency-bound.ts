/**
 * The latency critical path of a run: the least wall time the workflow can take at its configured
 * concurrency when every API call costs `latency` and everything else is free.
 *
 * The run's calls, as the workflow makes them:
 * - Plan: ListAccounts, one page of 20 accounts after another: ceil(orgAccounts / 20) calls in a row.
 * - Scan: the plan's targets (ACTIVE accounts sorted by id x regions sorted by name) cut into batches
 *   of `batchSize`; at most `maxConcurrency` batches at once, each starting as soon as a slot frees.
 *   A batch assumes the role of each of its accounts at once (one call deep), then lists its targets
 *   `regionConcurrency` at a time, each target's pages one after another. A target costs
 *   ceil(functions / 50) pages (at least 1); a region the account has not enabled costs 1 (refused);
 *   an account whose role cannot be assumed costs nothing after the AssumeRole.
 * - Reduce makes no API calls.
 * Both pools are list-scheduled in order, which is how the local Map adapter and p-limit run them.
 * For a uniform fleet (A accounts, R regions, P pages per target, b targets per batch,
 * B = ceil(A x R / b) batches, C = maxConcurrency, c = regionConcurrency) this is the closed form
 *   T = latency x ( ceil(orgAccounts / 20) + ceil(B / C) x (1 + ceil(b / c) x P) ).
 */

export interface BoundAccount {
  id: string;
  state: string;
  hasRole: boolean;
  enabledRegions: string[];
  functionsByRegion: Record<string, number>;
}

export interface BoundSettings {
  latencySeconds: number;
  /** The regions every account is scanned in. */
  regions: string[];
  /** Targets per batch after the plan rounded it to whole accounts. */
  batchSize: number;
  /** 0 means no limit. */
  maxConcurrency: number;
  regionConcurrency: number;
}

export interface LatencyPath {
  seconds: number;
  planSeconds: number;
  scanSeconds: number;
  targets: number;
  batches: number;
  /** API calls on the critical path's model: ListAccounts pages, AssumeRole and ListFunctions calls. */
  calls: number;
}

const ACCOUNTS_PER_PAGE = 20;
const FUNCTIONS_PER_PAGE = 50;

export function latencyCriticalPath(accounts: readonly BoundAccount[], settings: BoundSettings): LatencyPath {
  const latency = settings.latencySeconds;
  const regions = [...new Set(settings.regions)].sort();
  const listAccountPages = Math.max(1, Math.ceil(accounts.length / ACCOUNTS_PER_PAGE));
  const planned = accounts
    .filter((account) => account.state === 'ACTIVE')
    .sort((a, b) => compare(a.id, b.id));

  // calls of each target, in the plan's order
  const targets = planned.flatMap((account) =>
    regions.map((region) => ({ accountId: account.id, calls: targetCalls(account, region) })),
  );
  let calls = listAccountPages;
  const batchDurations: number[] = [];
  for (let start = 0; start < targets.length; start += settings.batchSize) {
    const batch = targets.slice(start, start + settings.batchSize);
    const accountCount = new Set(batch.map((target) => target.accountId)).size;
    const listing = listSchedule(
      batch.map((target) => target.calls * latency),
      settings.regionConcurrency,
    );
    batchDurations.push(latency + listing);
    calls += accountCount + batch.reduce((sum, target) => sum + target.calls, 0);
  }
  const planSeconds = listAccountPages * latency;
  const scanSeconds = listSchedule(batchDurations, settings.maxConcurrency);
  return {
    seconds: planSeconds + scanSeconds,
    planSeconds,
    scanSeconds,
    targets: targets.length,
    batches: batchDurations.length,
    calls,
  };
}

function targetCalls(account: BoundAccount, region: string): number {
  if (!account.hasRole) return 0;
  const functions = account.functionsByRegion[region];
  // a region outside the fleet's: refused when it is an opt-in region not enabled, else an empty page
  if (functions === undefined) return 1;
  return Math.max(1, Math.ceil(functions / FUNCTIONS_PER_PAGE));
}

/**
 * Makespan of jobs taken in order by `workers` runners, each job going to the runner free first
 * (0 workers: all at once).
 */
export function listSchedule(durations: readonly number[], workers: number): number {
  if (durations.length === 0) return 0;
  if (workers <= 0 || workers >= durations.length) return Math.max(...durations);
  const freeAt = new Array<number>(workers).fill(0);
  for (const duration of durations) {
    let earliest = 0;
    for (let i = 1; i < freeAt.length; i++)
      if ((freeAt[i] as number) < (freeAt[earliest] as number)) earliest = i;
    freeAt[earliest] = (freeAt[earliest] as number) + duration;
  }
  return Math.max(...freeAt);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
