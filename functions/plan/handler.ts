/**
 * Plan: resolve the run's targets (accounts x regions), write them to `runs/<runId>/targets.json`
 * for the Distributed Map's ItemReader and the skipped accounts to `runs/<runId>/skipped.json`, and
 * return a small summary (never the lists themselves: they travel through S3, not the workflow state).
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  type AccountRef,
  PlanEvent,
  type PlanOutput,
  PlanSettings,
  parseOrThrow,
  type SkippedAccount,
  ValidationError,
} from '../../shared/contracts.ts';
import { ENV, requireEnv } from '../../shared/env.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { keys } from '../../shared/keys.ts';
import { organizationsClient, s3Client } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectStore, putJson, S3ObjectStore } from '../shared/object-store.ts';
import { discoverAccounts } from './organizations.ts';
import {
  accountAlignedBatchSize,
  chooseRegions,
  chooseTargetSource,
  crossTargets,
  runIdFor,
  scanIdFor,
} from './plan-targets.ts';

export interface PlanDeps {
  storeFor(bucket: string): ObjectStore;
  organizations: OrganizationsClient;
  settings: PlanSettings;
  bucket: string;
  logger?: Logger;
}

export function createPlanHandler(deps: PlanDeps): (event: unknown) => Promise<PlanOutput> {
  const logger = deps.logger ?? createLogger('plan');
  return async (event) => {
    const { input, execution } = parseOrThrow(PlanEvent, event, 'plan event');
    const runId = runIdFor(input, execution.name);
    const scanId = scanIdFor(execution.name, execution.startTime);
    logger.appendKeys({ runId, scanId });

    const source = chooseTargetSource(input, deps.settings);
    const regions = chooseRegions(input, deps.settings);
    let accounts: AccountRef[];
    let skipped: SkippedAccount[] = [];
    if (source.source === 'accounts') {
      accounts = source.accounts;
    } else {
      ({ kept: accounts, skipped } = await discoverAccounts(deps.organizations, source.filter));
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

    const store = deps.storeFor(deps.bucket);
    const targetsKey = keys.targets(runId);
    const skippedKey = keys.skipped(runId);
    await putJson(store, targetsKey, targets);
    await putJson(store, skippedKey, skipped);
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
  };
}

/** `2 state SUSPENDED, 1 excluded by excludeAccounts`: reasons counted, so the message stays short. */
function describeSkipped(skipped: SkippedAccount[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ');
}

/** The Lambda's deps, from its environment; a bad value names the variable and the field. */
export function planDepsFromEnv(env: NodeJS.ProcessEnv = process.env): PlanDeps {
  const settingsVariable = `environment variable ${ENV.planSettings}`;
  let rawSettings: unknown;
  try {
    rawSettings = JSON.parse(requireEnv(ENV.planSettings, env));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ValidationError(`${settingsVariable}: not valid JSON (${error.message})`);
    throw error;
  }
  const settings = parseOrThrow(PlanSettings, rawSettings, settingsVariable);
  const bucket = requireEnv(ENV.bucketName, env);
  const s3 = s3Client();
  return {
    storeFor: (name) => new S3ObjectStore(s3, name),
    organizations: organizationsClient(),
    settings,
    bucket,
    logger: createLogger('plan'),
  };
}

/** Lambda entry point. */
export const handler = lambdaEntryPoint(planDepsFromEnv, createPlanHandler);
