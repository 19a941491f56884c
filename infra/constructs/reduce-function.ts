/**
 * The reduce function, with its environment and its permissions set together: it reads one run's
 * working data and the latest pointer, and writes the report's files and then the pointer.
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';
import { DEFAULTS, ENV } from '../../shared/env.ts';
import { objectPattern, reportFileNames } from '../../shared/keys.ts';
import { handlerEntry, NodeFunction } from './node-function.ts';
import type { ReportBucket } from './report-bucket.ts';

export interface ReduceFunctionProps {
  readonly bucket: ReportBucket;
  readonly config: InventoryConfig;
}

export class ReduceFunction extends NodeFunction {
  constructor(scope: Construct, id: string, { bucket, config }: ReduceFunctionProps) {
    const compress = config.reports.compress;
    super(scope, id, {
      entry: handlerEntry('reduce'),
      serviceName: 'reduce',
      description: 'Merges the partials of a run into the inventory report',
      // the report of a large organization is built in memory
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logRetention: config.logRetentionDays as RetentionDays,
      environment: {
        [ENV.reduceConcurrency]: String(DEFAULTS.reduceConcurrency),
        [ENV.reportCompression]: String(compress),
      },
    });
    // the run's plan files, the scan's partials, the map's result files, the current latest pointer
    bucket.grantObjects(
      this,
      ['s3:GetObject'],
      [
        objectPattern('targets'),
        objectPattern('skipped'),
        objectPattern('partial'),
        objectPattern('mapResult'),
        objectPattern('latest'),
      ],
    );
    // lists the partials; and S3 answers a GET of a missing key (the first run's latest.json, a map
    // result file) with 404 only to a caller that may list the bucket, with 403 to others. A prefix
    // condition would turn those 404s into 403s: the grant reveals key names, never contents.
    this.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    // the inventory files are streamed as multipart uploads, which lib-storage aborts when one fails
    bucket.grantObjects(
      this,
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      reportFileNames(compress).map((file) => objectPattern('reportFile', { file })),
    );
    bucket.grantObjects(this, ['s3:PutObject'], [objectPattern('latest')]);
  }
}
