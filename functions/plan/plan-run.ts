/**
 * Plan: resolve the run's targets (accounts x regions), write them to `runs/<runId>/targets.json`
 * for the Distributed Map's ItemReader and the skipped accounts to `runs/<runId>/skipped.json`, and
 * return a small summary: the lists travel through S3, never through the workflow state (256 KiB).
 *
 * Dates come from the execution's start time, not a clock: planning the same execution again
 * writes the same files and returns the same output (a retried Plan step names the same scan).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  AccountRef,
  OrganizationFilter,
  PlanEvent,
  PlanOutput,
  PlanSettings,
  SkippedAccount,
} from '../../shared/contracts.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { keys } from '../../shared/keys.ts';
import { type ObjectStore, putJson } from '../shared/object-store.ts';
import {
  accountAlignedBatchSize,
  chooseRegions,
  chooseTargetSource,
  crossTargets,
  runIdFor,
  type Screening,
  scanIdFor,
} from './plan-targets.ts';

export interface PlanRunDeps {
  /** The store of the run's bucket. */
  store: ObjectStore;
  /** The bucket's name, as the Map's ItemReader and the workers find it in the output. */
  bucket: string;
  settings: PlanSettings;
  /** Organizations discovery: the accounts the filter selects, ACTIVE ones kept, the others skipped with a reason. */
  discoverAccounts(filter: OrganizationFilter): Promise<Screening>;
  logger: Logger;
}

export async function planRun(deps: PlanRunDeps, { input, execution }: PlanEvent): Promise<PlanOutput> {
  const runId = runIdFor(input, execution.name);
  const scanId = scanIdFor(execution.name, execution.startTime);
  const logger = deps.logger.createChild({ persistentKeys: { runId, scanId } });

  const source = chooseTargetSource(input, deps.settings);
  const regions = chooseRegions(input, deps.settings);
  let accounts: AccountRef[];
  let skipped: SkippedAccount[] = [];
  if (source.source === 'accounts') {
    accounts = source.accounts;
  } else {
    ({ kept: accounts, skipped } = await deps.discoverAccounts(source.filter));
    for (const account of skipped) logger.info('account skipped', { ...account });
  }

  const targets = crossTargets(accounts, regions);
  if (targets.length === 0) {
    throw new InvalidTargetsError(
      skipped.length > 0
        ? `no targets to scan: all ${skipped.length} discovered accounts were skipped (${describeSkipped(skipped)})`
        : 'no targets to scan: Organizations discovery found no accounts',
    );
  }

  const targetsKey = keys.targets(runId);
  const skippedKey = keys.skipped(runId);
  await putJson(deps.store, targetsKey, targets);
  await putJson(deps.store, skippedKey, skipped);
  const output: PlanOutput = {
    runId,
    scanId,
    startedAt: new Date(execution.startTime).toISOString(),
    bucket: deps.bucket,
    targetsKey,
    targetCount: targets.length,
    accountCount: new Set(targets.map((target) => target.accountId)).size,
    batchSize: accountAlignedBatchSize(deps.settings.batchSize, regions.length),
    regions,
    skippedCount: skipped.length,
    skippedKey,
  };
  logger.info('targets planned', {
    source: source.source,
    targetCount: output.targetCount,
    accountCount: output.accountCount,
    regionCount: regions.length,
    batchSize: output.batchSize,
    skippedCount: output.skippedCount,
  });
  return output;
}

/** `2 state SUSPENDED, 1 excluded by excludeAccounts`: reasons counted, so the message stays short. */
function describeSkipped(skipped: SkippedAccount[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ');
}
