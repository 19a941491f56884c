/**
 * The worker function, with its environment and its permissions set together: it assumes the member
 * role (by name, in accounts known only at run time) and writes one partial per batch. Its role has a
 * fixed name, because every member role's trust policy names it.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';
import { DEFAULTS, ENV } from '../../shared/env.ts';
import { objectPattern } from '../../shared/keys.ts';
import { handlerEntry, NodeFunction } from './node-function.ts';
import type { ReportBucket } from './report-bucket.ts';

/**
 * One batch (whole accounts, typically one account's 17 regions at 8 at a time) gets this long. It is
 * bounded by the Express child it runs in: three attempts of WORKER_TASK_TIMEOUT and the retry pauses
 * must fit in five minutes.
 */
export const WORKER_TIMEOUT = Duration.seconds(80);

/** How long the workflow waits for one worker attempt: the function's timeout plus its cold start. */
export const WORKER_TASK_TIMEOUT = Duration.seconds(WORKER_TIMEOUT.toSeconds() + 10);

export interface WorkerFunctionProps {
  readonly bucket: ReportBucket;
  readonly config: InventoryConfig;
}

export class WorkerFunction extends NodeFunction {
  constructor(scope: Construct, id: string, { bucket, config }: WorkerFunctionProps) {
    super(scope, id, {
      entry: handlerEntry('worker'),
      serviceName: 'worker',
      description: 'Lists the Lambda functions of one batch of targets and writes a partial',
      roleName: config.workerRoleName,
      memorySize: 512,
      timeout: WORKER_TIMEOUT,
      logRetention: config.logRetentionDays as RetentionDays,
      environment: {
        [ENV.memberRoleName]: config.memberRoleName,
        [ENV.regionConcurrency]: String(DEFAULTS.regionConcurrency),
      },
    });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.memberRoleName}`],
        // the member role's trust requires the caller's organization; this is the other side: a role
        // of that name in an account outside the organization is never assumed
        conditions:
          config.organizationId === undefined
            ? undefined
            : { StringEquals: { 'aws:ResourceOrgID': config.organizationId } },
      }),
    );
    bucket.grantObjects(this, ['s3:PutObject'], [objectPattern('partial')]);
  }
}
