/**
 * Worker: scans one Distributed Map batch of targets, writes the functions it found to one partial
 * in S3 (claim check) and returns only the per-target statuses to Step Functions.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import {
  DEFAULT_MEMBER_ROLE_NAME,
  parseOrThrow,
  RoleName,
  type TargetResult,
  WorkerBatch,
  type WorkerOutput,
} from '../../shared/contracts.ts';
import { DEFAULTS, ENV, intEnv } from '../../shared/env.ts';
import { lambdaClient, s3Client, stsClient } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectWriter, S3ObjectWriter } from '../shared/object-writer.ts';
import { CredentialCache, partitionOf } from './assume-role.ts';
import { AdaptiveRateLimiter, ASSUME_ROLE_RATE, type Clock, systemClock } from './pacing.ts';
import { partialKey, writePartial } from './partial.ts';
import { scanBatch } from './scan-batch.ts';

/**
 * Kept free at the end of an invocation for writing the partial and returning: no throttled call is
 * retried into it, so a throttled target is reported `throttled` instead of the batch timing out.
 */
export const INVOCATION_RESERVE_MS = 15_000;

/** The part of the Lambda context the worker reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface WorkerDeps {
  storeFor(bucket: string): ObjectWriter;
  sts: STSClient;
  lambdaFor(region: string, credentials: AwsCredentialIdentity): LambdaClient;
  memberRoleName: string;
  regionConcurrency: number;
  partition?: string;
  logger?: Logger;
  /** Time, sleeps and jitter of the pacing. @default the system's */
  clock?: Clock;
}

export function createWorkerHandler(
  deps: WorkerDeps,
): (event: unknown, context?: InvocationContext) => Promise<WorkerOutput> {
  const logger = deps.logger ?? createLogger('worker');
  const clock = deps.clock ?? systemClock;
  // per handler instance: warm invocations of the same run reuse each account's session, and every
  // batch of a local run (one handler) shares one pace of AssumeRole calls
  const credentials = new CredentialCache();
  const assumeRole = new AdaptiveRateLimiter(ASSUME_ROLE_RATE, clock);
  return async (event, context) => {
    const batch = parseOrThrow(WorkerBatch, event, 'worker batch');
    const { runId, scanId, bucket } = batch.BatchInput;
    logger.appendKeys({ runId, scanId });
    const deadline = context
      ? clock.now() + context.getRemainingTimeInMillis() - INVOCATION_RESERVE_MS
      : undefined;

    const scans = await scanBatch(batch.Items, runId, {
      sts: deps.sts,
      lambdaFor: deps.lambdaFor,
      memberRoleName: deps.memberRoleName,
      regionConcurrency: deps.regionConcurrency,
      partition: deps.partition ?? 'aws',
      credentials,
      pacing: { assumeRole, clock, deadline },
    });
    for (const { result } of scans) logOutcome(logger, result);

    const key = partialKey(runId, scanId, batch.Items);
    await writePartial(deps.storeFor(bucket), key, scans);
    return { partialKey: key, results: scans.map((scan) => scan.result) };
  };
}

function logOutcome(logger: Logger, result: TargetResult): void {
  const { accountId, region, status, functionCount, pages, durationMs, errorCode, message } = result;
  if (status === 'ok')
    logger.info('target scanned', { accountId, region, status, functionCount, pages, durationMs });
  else
    logger.warn('target not scanned', { accountId, region, status, pages, durationMs, errorCode, message });
}

/** The Lambda's deps, from its environment; a bad value names the variable. */
export function workerDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerDeps {
  const memberRoleName = parseOrThrow(
    RoleName,
    env[ENV.memberRoleName] || DEFAULT_MEMBER_ROLE_NAME,
    `environment variable ${ENV.memberRoleName}`,
  );
  const regionConcurrency = intEnv(ENV.regionConcurrency, DEFAULTS.regionConcurrency, env);
  const s3 = s3Client();
  return {
    storeFor: (bucket) => new S3ObjectWriter(s3, bucket),
    sts: stsClient(),
    lambdaFor: lambdaClient,
    memberRoleName,
    regionConcurrency,
    partition: partitionOf(env.AWS_REGION),
    logger: createLogger('worker'),
  };
}

/** Lambda entry point. */
export const handler = lambdaEntryPoint(workerDepsFromEnv, createWorkerHandler);
