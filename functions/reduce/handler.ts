/**
 * Reduce Lambda: parses the event, adds the run id to the logs, and hands over to `reduceRun`.
 * The local engine calls `createReduceHandler` with its own store and logger.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { parseOrThrow, ReduceInput, type ReduceOutput } from '../../shared/contracts.ts';
import { DEFAULTS, ENV, intEnv } from '../../shared/env.ts';
import { s3Client } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectStore, S3ObjectStore } from '../shared/object-store.ts';
import { reduceRun } from './reduce-run.ts';

export interface ReduceDeps {
  storeFor(bucket: string): ObjectStore;
  /** Partials read at once. */
  concurrency: number;
  logger?: Logger;
}

export function createReduceHandler(deps: ReduceDeps): (event: unknown) => Promise<ReduceOutput> {
  const logger = deps.logger ?? createLogger('reduce');
  return async (event) => {
    const input = parseOrThrow(ReduceInput, event, 'reduce input');
    const runLogger = logger.createChild({ persistentKeys: { runId: input.plan.runId } });
    return reduceRun({ storeFor: deps.storeFor, concurrency: deps.concurrency, logger: runLogger }, input);
  };
}

/** The deployed function's deps: S3 through the project's client, concurrency from the environment. */
export function reduceDepsFromEnv(env: NodeJS.ProcessEnv = process.env): ReduceDeps {
  const s3 = s3Client();
  return {
    storeFor: (bucket) => new S3ObjectStore(s3, bucket),
    concurrency: intEnv(ENV.reduceConcurrency, DEFAULTS.reduceConcurrency, env),
    logger: createLogger('reduce'),
  };
}

/** Lambda entry point. */
export const handler = lambdaEntryPoint(reduceDepsFromEnv, createReduceHandler);
