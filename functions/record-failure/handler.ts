/**
 * Record-failure Lambda, the target of the EventBridge rule on the state machine's FAILED, TIMED_OUT
 * and ABORTED status changes: parses the event, adds the execution name to the logs, and hands over
 * to `recordFailure`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseOrThrow } from '../../shared/contracts.ts';
import { ENV, requireEnv } from '../../shared/env.ts';
import { ExecutionStatusChange } from '../../shared/signals.ts';
import { s3Client, sfnClient } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectStore, S3ObjectStore } from '../shared/object-store.ts';
import { type ExecutionFailure, type RecordFailureOutput, recordFailure } from './record-failure.ts';

export interface RecordFailureHandlerDeps {
  /** The report bucket. */
  store: ObjectStore;
  sfn: SFNClient;
  logger?: Logger;
}

/** An execution's error and cause from DescribeExecution (an execution ended badly has no output to read). */
export async function describeExecutionFailure(
  sfn: SFNClient,
  executionArn: string,
): Promise<ExecutionFailure> {
  const { error, cause } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return { error, cause };
}

export function createRecordFailureHandler(
  deps: RecordFailureHandlerDeps,
): (event: unknown) => Promise<RecordFailureOutput> {
  const logger = deps.logger ?? createLogger('record-failure');
  return async (event) => {
    const change = parseOrThrow(ExecutionStatusChange, event, 'execution status change event');
    return recordFailure(
      {
        store: deps.store,
        describeExecution: (executionArn) => describeExecutionFailure(deps.sfn, executionArn),
        logger: logger.createChild({ persistentKeys: { executionName: change.detail.name } }),
      },
      change,
    );
  };
}

/** The deployed function's deps: the report bucket from the environment, the project's clients. */
export function recordFailureDepsFromEnv(env: NodeJS.ProcessEnv = process.env): RecordFailureHandlerDeps {
  return {
    store: new S3ObjectStore(s3Client(), requireEnv(ENV.bucketName, env)),
    sfn: sfnClient(),
    logger: createLogger('record-failure'),
  };
}

/** Lambda entry point. */
export const handler = lambdaEntryPoint(recordFailureDepsFromEnv, createRecordFailureHandler);
