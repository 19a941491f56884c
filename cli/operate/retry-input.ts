/**
 * The execution input of a retry of `runId`, from its report's coverage.csv in `store`: shared by
 * `retry` (deployed or serve) and, for a local run, `run --local --retry`.
 */
import { getText, type ObjectStore } from '../../functions/shared/object-store.ts';
import type { RunInput } from '../../shared/contracts.ts';
import { UsageError } from '../usage-error.ts';
import { coverageKeyOf, parseCoverageCsv, type RetryPlan, retryPlan } from './coverage-file.ts';
import { checkedInput } from './run-input.ts';

/** The input, or undefined when the run scanned every target it could; says on `log` what it retries. */
export async function retryInput(
  store: ObjectStore,
  runId: string,
  newRunId: string | undefined,
  log: { write(text: string): unknown },
): Promise<RunInput | undefined> {
  const key = coverageKeyOf(await store.list('reports/'), runId);
  if (key === undefined) {
    throw new UsageError(
      `no report of run ${runId} in ${store.location} (a run that failed before its report: redrive its execution)`,
    );
  }
  const plan = retryPlan(parseCoverageCsv(await getText(store, key)));
  if (plan.pairs.length === 0) return undefined;
  log.write(`${describeRetry(runId, plan)}\n`);
  return checkedInput({ accounts: plan.accounts, regions: plan.regions, runId: newRunId });
}

export function describeRetry(runId: string, plan: RetryPlan): string {
  const extra =
    plan.extraPairs > 0
      ? ` (${plural(plan.extraPairs, 'pair')} of these scanned already: an execution input names accounts and regions, not pairs)`
      : '';
  return `retrying ${plural(plan.pairs.length, 'target')} of run ${runId}: ${plural(plan.accounts.length, 'account')} x ${plural(plan.regions.length, 'region')}${extra}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
