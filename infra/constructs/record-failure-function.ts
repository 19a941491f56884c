/**
 * The record-failure function, with its environment and its permissions set together: it reads why
 * an execution of this state machine ended and writes that run's failure record, if none exists.
 */
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';
import { ENV } from '../../shared/env.ts';
import { objectPattern } from '../../shared/keys.ts';
import { handlerEntry, NodeFunction } from './node-function.ts';
import type { ReportBucket } from './report-bucket.ts';

export interface RecordFailureFunctionProps {
  readonly bucket: ReportBucket;
  readonly stateMachine: IStateMachine;
  readonly config: InventoryConfig;
}

export class RecordFailureFunction extends NodeFunction {
  constructor(scope: Construct, id: string, { bucket, stateMachine, config }: RecordFailureFunctionProps) {
    super(scope, id, {
      entry: handlerEntry('record-failure'),
      serviceName: 'record-failure',
      description: 'Writes the failure record of a run that ended without one (timed out, aborted, uncaught)',
      logRetention: config.logRetentionDays as RetentionDays,
      environment: { [ENV.bucketName]: bucket.bucketName },
    });
    // a conditional put (If-None-Match) needs s3:PutObject only: the Catch path's record is never read
    bucket.grantObjects(this, ['s3:PutObject'], [objectPattern('failure')]);
    stateMachine.grantExecution(this, 'states:DescribeExecution');
  }
}
