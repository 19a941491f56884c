/**
 * Plan Lambda: parses the event and hands over to `planRun` with the deployment's store, settings
 * and Organizations discovery. The local engine calls `createPlanHandler` with its own store and logger.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  PlanEvent,
  type PlanOutput,
  PlanSettings,
  parseOrThrow,
  ValidationError,
} from '../../shared/contracts.ts';
import { ENV, requireEnv } from '../../shared/env.ts';
import { organizationsClient, s3Client } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectStore, S3ObjectStore } from '../shared/object-store.ts';
import { discoverAccounts } from './organizations.ts';
import { planRun } from './plan-run.ts';

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
    const planEvent = parseOrThrow(PlanEvent, event, 'plan event');
    return planRun(
      {
        store: deps.storeFor(deps.bucket),
        bucket: deps.bucket,
        settings: deps.settings,
        discoverAccounts: (filter) => discoverAccounts(deps.organizations, filter),
        logger,
      },
      planEvent,
    );
  };
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
